-- Migration 11: article-order. The articles' listing (home page, feeds, `article list`) is newest
-- first by publication time, then update: this index gives that order without sorting every
-- article (at 10,000 articles the sort, with each article's photo count, was most of the home
-- page's time).

CREATE INDEX article_newest ON article ((COALESCE(publish_at, updated_at)) DESC, id DESC);
