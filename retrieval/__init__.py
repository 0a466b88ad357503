"""Articles in, ranked sentences out: parsing, sentence splitting, TF-IDF indexing and search."""

from .articles import ArticleError, parse_article, read_article
from .cache import corpus_fingerprint
from .corpus import CorpusError, CorpusIndex, open_corpus
from .folder import Corpus
from .query import IndexSettings, QueryTerms
from .ranking import RankSettings
from .records import Article, Hit, Paragraph, Sentence
from .text import is_stop_word
from .tfidf import SentenceIndex

__all__ = [
    "Article", "ArticleError", "Corpus", "CorpusError", "CorpusIndex", "Hit", "IndexSettings",
    "Paragraph", "QueryTerms", "RankSettings", "Sentence", "SentenceIndex", "corpus_fingerprint",
    "is_stop_word", "open_corpus", "parse_article", "read_article",
]
