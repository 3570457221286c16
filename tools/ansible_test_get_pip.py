# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the pip bootstrap script ansible-test downloads.

ansible-test bootstraps pip into each sanity-test virtualenv by running a
cached get-pip script with pip's install arguments; the host it downloads
that script from is not reachable here, PyPI is. This script honours the same
contract: it puts pip into the running interpreter with ensurepip, then
installs the requested pip release from the package index.
"""

import subprocess
import sys

GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
subprocess.check_call([sys.executable, "-m", "pip", "install"]
                      + [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY])
