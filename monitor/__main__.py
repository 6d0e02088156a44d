"""``python -m monitor ARGS`` = ``policywatch ARGS``, for when the console script is not on PATH.

(``python -m monitor.cli`` cannot work once feature commands import shared options from
``monitor.cli``: the module would be loaded twice, as ``__main__`` and as ``monitor.cli``.)
"""
from monitor.cli import main

main()
