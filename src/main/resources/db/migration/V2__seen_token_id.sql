-- JWT replay protection shared by every replica (docs/security.md): the SHA-256 of issuer and jti
-- of each token accepted, kept until the token expires.
CREATE TABLE seen_token_id (
    token_key  VARCHAR(64)              NOT NULL PRIMARY KEY,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX seen_token_id_expiry ON seen_token_id (expires_at);
