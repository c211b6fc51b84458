"""Run every role of the national impact study in order, as separate stores exchanging packages.

The runner is the only code that knows about all four roles, and it passes them nothing but file
paths of sealed packages (copied from a sender's outbox into a recipient's inbox), as the parties
would over a secure transfer service. Each role's step reads only its own store and its inbox.
"""
