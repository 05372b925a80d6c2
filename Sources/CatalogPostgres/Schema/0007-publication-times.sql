-- Migration 7: the next scheduled publication, which the readers' cache of every gallery node asks
-- for after every change, is found along these indexes instead of by reading every photo.

CREATE INDEX asset_published ON asset (published_at);
CREATE INDEX article_publish ON article (publish_at);
