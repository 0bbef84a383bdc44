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
