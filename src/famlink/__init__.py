"""famlink: link public-sector records safely and evaluate what a family-support programme did.

The public surface is the `famlink` command; modules are cut along the roles of the data flow
(council, linkage agent, department, research) so that the separation principle is visible in the code.
"""

__version__ = "0.1.0"
