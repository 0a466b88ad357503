"""Articles in, ranked sentences out: parsing, sentence splitting, TF-IDF indexing and search."""

from .articles import ArticleError, parse_article, read_article
from .corpus import Corpus, CorpusError, CorpusIndex, open_corpus
from .index import IndexSettings, SentenceIndex
from .ranking import RankSettings
from .records import Article, Hit, Paragraph, Sentence

__all__ = [
    "Article", "ArticleError", "Corpus", "CorpusError", "CorpusIndex", "Hit", "IndexSettings",
    "Paragraph", "RankSettings", "Sentence", "SentenceIndex", "open_corpus", "parse_article",
    "read_article",
]
