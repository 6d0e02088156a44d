"""Click commands of individual features, attached to the ``policywatch`` group in monitor/cli.py."""
