"""The board's pages, one module per part: the list, a concern's thread, what the
owner and HR do, updates, and the pages that work without signing in."""
