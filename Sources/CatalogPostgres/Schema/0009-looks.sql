-- Migration 9: looks (TwinStore). Each photo's difference hash, with its five blocks (13, 13, 13,
-- 13 and 12 bits) indexed so that every photo at most 4 bits away is found through one of them.

CREATE TABLE look (
    sha256 text COLLATE "C" PRIMARY KEY REFERENCES asset ON DELETE CASCADE,
    hash   bigint,
    b0     integer,
    b1     integer,
    b2     integer,
    b3     integer,
    b4     integer
);
CREATE INDEX look_b0 ON look (b0) WHERE hash IS NOT NULL;
CREATE INDEX look_b1 ON look (b1) WHERE hash IS NOT NULL;
CREATE INDEX look_b2 ON look (b2) WHERE hash IS NOT NULL;
CREATE INDEX look_b3 ON look (b3) WHERE hash IS NOT NULL;
CREATE INDEX look_b4 ON look (b4) WHERE hash IS NOT NULL;
