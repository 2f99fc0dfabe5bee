"""Charts of training progress: an SVG file and a compact text chart.

Training prints a number per epoch; a picture shows the story at a glance:
whether the test accuracy is still climbing, and whether the test loss has
turned up while the training loss keeps falling (overfitting).

SVG is plain XML text: a ``<polyline>`` joins the points of a series, a
``<circle>`` marks each point (one per epoch, with a ``<title>`` that a
browser shows as a tooltip), ``<text>`` writes the labels.  Coordinates run
right and *down* from the top-left corner, so a value v on an axis from lo
to hi is drawn at

    y = top + height * (hi - v) / (hi - lo)        (hi at the top)
    x = left + width * (epoch - first) / (last - first)

The text chart draws the same series with ASCII characters only, so it
prints on any terminal and in any log file whatever its encoding.

>>> nice_ticks(0.0, 1.0)
[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
>>> print(text_chart("accuracy", [90.0, 95.0, 97.0], height=3, max_width=6))
accuracy
  97.00 |    **
        |  **
  90.00 |**
        +------ epochs 1..3
"""

import html
import math
from collections.abc import Sequence

from nrnn.atomic import write_text_atomic

WIDTH, HEIGHT = 720, 480
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 70, 150, 58, 40
PANEL_GAP = 50


def escape(text: str) -> str:
    """``text`` as XML character data: ``&``, ``<`` and ``>`` escaped.

    (html.escape, not xml.sax.saxutils.escape: that module imports urllib,
    http and ssl: ~12 MB a PyPy training run would carry for nothing.)

    >>> escape("loss < 0.5 & falling")
    'loss &lt; 0.5 &amp; falling'
    """
    return html.escape(text, quote=False)


class Series:
    """One line on a panel: a name for the legend, a value per epoch, a colour.

    ``css_class`` names its points in the SVG (``class="point <css_class>"``)
    so a reader or a test can pick them out.
    """

    def __init__(self, name: str, values: Sequence[float], css_class: str, color: str):
        self.name = name
        self.values = list(values)
        self.css_class = css_class
        self.color = color

    def __repr__(self):
        return "Series(%r, %d values)" % (self.name, len(self.values))


class Panel:
    """A plot area with its own y axis, sharing the x axis (epochs) with the others."""

    def __init__(self, title: str, series: list[Series], unit: str = ""):
        self.title = title
        self.series = series
        self.unit = unit


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering low..high, about ``count`` intervals.

    The step is 1, 2, 2.5 or 5 times a power of ten, the steps a person
    would choose, and the ticks start and end on multiples of it.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("ticks need finite bounds, got %r..%r" % (low, high))
    if high < low:
        low, high = high, low
    if high == low:  # a flat series still needs an axis around it
        pad = abs(low) * 0.05 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for multiple in (1.0, 2.0, 2.5, 5.0, 10.0):
        step = multiple * magnitude
        if step >= raw * (1 - 1e-9):
            break
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    # %.12g drops the binary noise of k * step (3 * 1e-5 = 2.9999999999999997e-05).
    return [float("%.12g" % (k * step)) for k in range(first, last + 1)]


def _tick_label(value: float, ticks: list[float]) -> str:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    decimals = max(0, -int(math.floor(math.log10(step) + 1e-9)))
    if abs(step / 10.0 ** -decimals - round(step / 10.0 ** -decimals)) > 1e-6:
        decimals += 1  # a step of 2.5 needs one more digit than 2 or 5
    return "%.*f" % (decimals, value)


def _number(value: float) -> str:
    """A coordinate for the SVG: two decimals are finer than any screen."""
    return ("%.2f" % value).rstrip("0").rstrip(".")


def svg_chart(epochs: Sequence[int], panels: list[Panel], title: str = "") -> str:
    """Return an SVG document plotting each panel's series against ``epochs``.

    epochs: the x values, one per point (1, 2, 3, ...); every series of every
    panel has one value per epoch.  Panels are stacked top to bottom.
    """
    epochs = list(epochs)
    if not epochs:
        raise ValueError("a chart needs at least one epoch")
    for panel in panels:
        for series in panel.series:
            if len(series.values) != len(epochs):
                raise ValueError("series %r has %d values for %d epochs"
                                 % (series.name, len(series.values), len(epochs)))
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = (HEIGHT - MARGIN_TOP - MARGIN_BOTTOM - PANEL_GAP * (len(panels) - 1)) / len(panels)
    first, last = min(epochs), max(epochs)

    def x_of(epoch):
        if last == first:  # a single epoch sits in the middle
            return MARGIN_LEFT + plot_width / 2
        return MARGIN_LEFT + plot_width * (epoch - first) / (last - first)

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
        'font-family="sans-serif" font-size="12">' % (WIDTH, HEIGHT, WIDTH, HEIGHT),
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    if title:
        out.append('<text x="%d" y="22" font-size="14" font-weight="bold">%s</text>'
                   % (MARGIN_LEFT, escape(title)))
    x_ticks = _epoch_ticks(first, last)
    for index, panel in enumerate(panels):
        top = MARGIN_TOP + index * (plot_height + PANEL_GAP)
        bottom = top + plot_height
        values = [v for series in panel.series for v in series.values]
        ticks = nice_ticks(min(values), max(values))
        low, high = ticks[0], ticks[-1]

        def y_of(value, top=top, low=low, high=high):
            return top + plot_height * (high - value) / (high - low)

        out.append('<g class="panel">')
        out.append('<text x="%d" y="%s" font-weight="bold">%s</text>'
                   % (MARGIN_LEFT, _number(top - 8), escape(panel.title)))
        for tick in ticks:  # horizontal grid lines with their labels
            y = _number(y_of(tick))
            out.append('<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#dddddd"/>'
                       % (MARGIN_LEFT, y, MARGIN_LEFT + plot_width, y))
            out.append('<text x="%d" y="%s" text-anchor="end" dominant-baseline="middle">%s%s</text>'
                       % (MARGIN_LEFT - 6, y, _tick_label(tick, ticks), escape(panel.unit)))
        for epoch in x_ticks:
            x = _number(x_of(epoch))
            out.append('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#999999"/>'
                       % (x, _number(bottom), x, _number(bottom + 4)))
            out.append('<text x="%s" y="%s" text-anchor="middle">%d</text>'
                       % (x, _number(bottom + 16), epoch))
        out.append('<rect x="%d" y="%s" width="%d" height="%s" fill="none" stroke="#999999"/>'
                   % (MARGIN_LEFT, _number(top), plot_width, _number(plot_height)))
        for number, series in enumerate(panel.series):
            points = [(x_of(e), y_of(v)) for e, v in zip(epochs, series.values)]
            out.append('<polyline class="line %s" fill="none" stroke="%s" stroke-width="2" points="%s"/>'
                       % (series.css_class, series.color,
                          " ".join("%s,%s" % (_number(x), _number(y)) for x, y in points)))
            for epoch, value, (x, y) in zip(epochs, series.values, points):
                tooltip = "%s, epoch %d: %.4f%s" % (series.name, epoch, value, panel.unit)
                out.append('<circle class="point %s" data-epoch="%d" cx="%s" cy="%s" r="3" fill="%s">'
                           '<title>%s</title></circle>'
                           % (series.css_class, epoch, _number(x), _number(y), series.color, escape(tooltip)))
            legend_y = top + 14 + 18 * number
            out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>'
                       % (WIDTH - MARGIN_RIGHT + 12, legend_y, WIDTH - MARGIN_RIGHT + 32, legend_y, series.color))
            out.append('<text x="%d" y="%d" dominant-baseline="middle">%s</text>'
                       % (WIDTH - MARGIN_RIGHT + 38, legend_y, escape(series.name)))
        out.append('</g>')
    out.append('<text x="%s" y="%d" text-anchor="middle">epoch</text>'
               % (_number(MARGIN_LEFT + plot_width / 2), HEIGHT - 6))
    out.append('</svg>')
    return "\n".join(out) + "\n"


def _epoch_ticks(first: int, last: int) -> list[int]:
    """Whole-epoch ticks: every epoch when there are few, else a round step."""
    span = last - first
    for candidate in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        step = candidate
        if span / candidate <= 10:
            break
    ticks = [e for e in range(first, last + 1) if e == first or e % step == 0]
    if ticks[-1] != last:
        ticks.append(last)
    return ticks


def training_chart(history: list[dict], title: str = "") -> str:
    """The SVG for a training history: test accuracy above, losses below.

    history: one dict per epoch with ``epoch``, ``test_accuracy`` (0..1),
    ``test_loss`` and ``train_loss``.
    """
    epochs = [record["epoch"] for record in history]
    accuracy = Series("test accuracy", [100.0 * r["test_accuracy"] for r in history],
                      "test-accuracy", "#1f77b4")
    train_loss = Series("training loss", [r["train_loss"] for r in history], "train-loss", "#ff7f0e")
    test_loss = Series("test loss", [r["test_loss"] for r in history], "test-loss", "#2ca02c")
    return svg_chart(epochs, [Panel("test accuracy", [accuracy], "%"),
                              Panel("loss (mean cost per sample)", [train_loss, test_loss])], title)


def text_chart(title: str, values: Sequence[float], height: int = 6,
               max_width: int = 60, first_epoch: int = 1) -> str:
    """A small ASCII chart of one value per epoch, for the terminal.

    Each epoch gets a column (several when there are few epochs, so a short
    run is still readable); a ``*`` marks its value, the highest value on
    the top row and the lowest on the bottom one.  With more epochs than
    ``max_width`` columns, neighbouring epochs share a column, which shows
    the last of them.
    """
    values = list(values)
    if not values:
        return title + "\n(no epochs)"
    count = len(values)
    per_epoch = max(1, min(4, max_width // count))
    columns = min(count * per_epoch, max_width)
    # Column c shows epoch index ((c + 1) * count - 1) // columns: the last
    # epoch of its group when epochs share columns, the same epoch repeated
    # when an epoch spans several columns.
    shown = [values[min(count - 1, ((c + 1) * count - 1) // columns)] for c in range(columns)]
    low, high = min(values), max(values)
    # The row (0 = bottom) of each column's star; a flat series sits mid-height.
    if high == low:
        star_rows = [(height - 1) // 2] * columns
    else:
        star_rows = [int(round((value - low) / (high - low) * (height - 1))) for value in shown]
    rows = []
    for level in range(height - 1, -1, -1):
        cells = ["*" if row == level else " " for row in star_rows]
        if level == height - 1:
            label = "%7.2f" % high
        elif level == 0:
            label = "%7.2f" % low
        else:
            label = ""
        rows.append(("%7s |" % label + "".join(cells)).rstrip())
    last = first_epoch + count - 1
    span = "epoch %d" % first_epoch if count == 1 else "epochs %d..%d" % (first_epoch, last)
    rows.append("        +" + "-" * columns + " " + span)
    return "\n".join([title] + rows)


def write_svg(path: str, svg_text: str) -> None:
    """Write ``svg_text`` to ``path`` atomically (see atomic.py)."""
    write_text_atomic(path, svg_text)


__all__ = ["Series", "Panel", "nice_ticks", "svg_chart", "training_chart", "text_chart", "write_svg"]


if __name__ == "__main__":
    import doctest
    doctest.testmod()
