"""Bringing articles in from the web: fetching pages and feeds and saving them as article files.

This package sits before the data flow: it writes the article files that `retrieval/` reads, and
knows nothing of indexes or chats. It is kept out of `retrieval/` so that answering questions needs
neither the network nor the extraction libraries (trafilatura, feedparser).
"""
