"""Articles in, ranked sentences out: parsing, sentence splitting, TF-IDF indexing and search."""

# Each name is imported from its module when first asked for (PEP 562): `import retrieval.cache`, which
# `newsbot ask` does first to list the corpus folder while it imports the rest, does not import numpy
# and the whole index with it.
_FROM = {
    "answer_type": ("asks_for_words",),
    "articles": ("ArticleError", "parse_article", "read_article"),
    "cache": ("corpus_fingerprint",),
    "corpus": ("CorpusError", "CorpusIndex", "open_corpus"),
    "dates": ("DateMention", "long_form", "mentions", "parse_time", "published_day", "question_day"),
    "folder": ("Corpus",),
    "query": ("IndexSettings", "QueryTerms"),
    "ranking": ("RankSettings",),
    "records": ("Article", "Hit", "Paragraph", "Sentence"),
    "text": ("is_stop_word",),
    "tfidf": ("SentenceIndex",),
}
_MODULE_OF = {name: module for module, names in _FROM.items() for name in names}


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'retrieval' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULE_OF})


__all__ = [
    "Article", "ArticleError", "Corpus", "CorpusError", "CorpusIndex", "DateMention", "Hit", "IndexSettings",
    "Paragraph", "QueryTerms", "RankSettings", "Sentence", "SentenceIndex", "asks_for_words", "corpus_fingerprint",
    "is_stop_word", "long_form", "mentions", "open_corpus", "parse_article", "parse_time", "published_day",
    "question_day", "read_article",
]
