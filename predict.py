"""Which digit is in this picture?  ``python predict.py IMAGE...``

The README's command, kept for a clone of the repository: the program is
``nrnn/predict.py`` (installed, the same command is ``nrnn predict``).
``python predict.py --help`` lists the options.
"""

import sys

from nrnn.cli import run_main
from nrnn.predict import describe, main  # noqa: F401  (describe: for scripts that used it from here)

if __name__ == "__main__":
    sys.exit(run_main(main))  # Ctrl-C: 130; output closed early (| head): 141
