"""Reference data: regions, agencies and categories, bundled and replaceable by the server's."""
