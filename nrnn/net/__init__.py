"""The network itself: the part to read first.

``reference.py`` is the whole network as the equations write it (start
there); ``network.py`` is the same network made fast, checked against it by
``gradcheck.py``; ``matrix.py`` holds the list-of-lists kernels, ``prng.py``
the seeded random numbers, ``sigmoid.py`` and ``cost.py`` the two functions
the math is built on, and ``model_file.py`` saves and loads a network as
JSON.  Nothing here knows about images, files of digits or the web page.
"""
