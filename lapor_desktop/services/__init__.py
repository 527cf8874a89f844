"""Services: the operations of the desk, each in one transaction, with permission and audit."""
