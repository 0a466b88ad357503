"""Bringing articles in from the web: fetching pages and feeds and saving them as article files.

This package sits before the data flow: it writes the article files that `retrieval/` reads, and
knows nothing of indexes or chats. It is kept out of `retrieval/` so that answering questions needs
neither the network nor the extraction libraries (trafilatura, feedparser).
"""

# Defaults, here so that the command line can show them without importing the fetching code.
TIMEOUT = 10.0  # seconds for a whole response, connecting included
MAX_BYTES = 5_000_000  # a news page or feed is far smaller; anything bigger is not one
EVERY = 300.0  # seconds between polls of one feed
MAX_BACKOFF = 3600.0  # the longest wait after failed polls
