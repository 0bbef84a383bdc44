namespace Berth.Storage;

/// <summary>One schema step; <see cref="Version"/> becomes PRAGMA user_version once it ran.</summary>
internal sealed record Migration(int Version, string Sql);

/// <summary>
/// The schema history. Append only: a released migration is never edited, because databases
/// that already ran it would silently differ from new ones.
/// </summary>
internal static class Migrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, """
            CREATE TABLE meta (
                key   TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            CREATE TABLE names (
                kind              TEXT NOT NULL,
                id                TEXT NOT NULL,
                name              TEXT,
                created_unix_nano INTEGER NOT NULL,
                PRIMARY KEY (kind, id),
                UNIQUE (kind, name)
            );
            """),
        // 2: images. The image id is the sha256 of its config blob (in the content store), so
        // nothing of the config is copied here except what lists sort and filter on. References
        // are the normalised full forms; a reference row cannot outlive its image.
        new(2, """
            CREATE TABLE images (
                id                 TEXT PRIMARY KEY,
                top_chain_id       TEXT,
                size               INTEGER NOT NULL,
                created_unix_nano  INTEGER,
                added_unix_nano    INTEGER NOT NULL,
                last_tag_unix_nano INTEGER
            );
            CREATE TABLE image_refs (
                ref             TEXT PRIMARY KEY,
                image_id        TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
                is_digest       INTEGER NOT NULL,
                added_unix_nano INTEGER NOT NULL
            );
            CREATE INDEX image_refs_by_image ON image_refs (image_id);
            """),
        // Networks and the addresses allocated inside them. JSON columns hold the small maps
        // (labels, options, IPAM pools) that are only ever read and written whole.
        new(3, """
            CREATE TABLE networks (
                id                TEXT PRIMARY KEY,
                name              TEXT NOT NULL UNIQUE,
                driver            TEXT NOT NULL,
                created_unix_nano INTEGER NOT NULL,
                internal          INTEGER NOT NULL,
                attachable        INTEGER NOT NULL,
                enable_ipv6       INTEGER NOT NULL,
                predefined        INTEGER NOT NULL,
                bridge_name       TEXT NOT NULL,
                labels_json       TEXT NOT NULL,
                options_json      TEXT NOT NULL,
                ipam_driver       TEXT NOT NULL,
                ipam_options_json TEXT,
                ipam_config_json  TEXT NOT NULL
            );
            CREATE TABLE network_addresses (
                network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
                address    TEXT NOT NULL,
                owner      TEXT NOT NULL,
                PRIMARY KEY (network_id, address)
            );
            """),
        // 4: containers. One row per container; the document column is the whole engine record
        // (config, host config, state, monitor handle) as JSON, rewritten in one transaction at
        // every state change. The columns beside it are what start-up and image deletes read.
        new(4, """
            CREATE TABLE containers (
                id                TEXT PRIMARY KEY,
                image_id          TEXT NOT NULL,
                status            TEXT NOT NULL,
                created_unix_nano INTEGER NOT NULL,
                document          TEXT NOT NULL
            );
            CREATE INDEX containers_by_image ON containers (image_id);
            """),
        // 5: the build cache. A step's key (parent image, step text, config, source content) to
        // the image it made; rows whose image is gone are ignored and removed by build prune.
        new(5, """
            CREATE TABLE build_cache (
                key                 TEXT PRIMARY KEY,
                image_id            TEXT NOT NULL,
                created_unix_nano   INTEGER NOT NULL,
                last_used_unix_nano INTEGER NOT NULL
            );
            """),
    ];

    /// <summary>Rejects lists that are not 1, 2, 3, ... so a typo cannot skip or repeat a step.</summary>
    public static void Validate(IReadOnlyList<Migration> migrations)
    {
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException(
                    $"migration #{i} has version {migrations[i].Version}, expected {i + 1}");
            }
        }
    }
}
