using Berth.Engine.Errors;
using Berth.Engine.Images;
using Microsoft.Data.Sqlite;

namespace Berth.Storage.Images;

/// <summary><see cref="IImageStore"/> on the <c>images</c> and <c>image_refs</c> tables (migration 2).</summary>
public sealed class SqliteImageStore : IImageStore
{
    private readonly SqliteStateStore _store;

    public SqliteImageStore(SqliteStateStore store)
    {
        _store = store;
    }

    public IReadOnlyList<ImageRecord> ListImages() => Run((c, t) =>
    {
        using var command = SqliteStateStore.CreateCommand(c, t,
            "SELECT id, top_chain_id, size, created_unix_nano, added_unix_nano, last_tag_unix_nano FROM images");
        using var reader = command.ExecuteReader();
        var list = new List<ImageRecord>();
        while (reader.Read())
        {
            list.Add(new ImageRecord(
                Digest.Parse(reader.GetString(0)),
                reader.IsDBNull(1) ? null : Digest.Parse(reader.GetString(1)),
                reader.GetInt64(2),
                reader.IsDBNull(3) ? null : FromNanos(reader.GetInt64(3)),
                FromNanos(reader.GetInt64(4)),
                reader.IsDBNull(5) ? null : FromNanos(reader.GetInt64(5))));
        }
        return list;
    });

    public IReadOnlyList<ReferenceRecord> ListReferences() => Run((c, t) =>
    {
        using var command = SqliteStateStore.CreateCommand(c, t, "SELECT ref, image_id, is_digest FROM image_refs ORDER BY ref");
        using var reader = command.ExecuteReader();
        var list = new List<ReferenceRecord>();
        while (reader.Read())
        {
            list.Add(new ReferenceRecord(reader.GetString(0), Digest.Parse(reader.GetString(1)), reader.GetInt64(2) != 0));
        }
        return list;
    });

    public void AddImage(ImageRecord image, IReadOnlyList<ReferenceRecord> references) => Run((c, t) =>
    {
        using (var insert = SqliteStateStore.CreateCommand(c, t,
            "INSERT OR IGNORE INTO images (id, top_chain_id, size, created_unix_nano, added_unix_nano, last_tag_unix_nano) " +
            "VALUES ($id, $top, $size, $created, $added, $tagged)"))
        {
            insert.Parameters.AddWithValue("$id", image.Id.ToString());
            insert.Parameters.AddWithValue("$top", (object?)image.TopChainId?.ToString() ?? DBNull.Value);
            insert.Parameters.AddWithValue("$size", image.Size);
            insert.Parameters.AddWithValue("$created", image.Created is { } created ? ToNanos(created) : DBNull.Value);
            insert.Parameters.AddWithValue("$added", ToNanos(image.Added));
            insert.Parameters.AddWithValue("$tagged", image.LastTagTime is { } tagged ? ToNanos(tagged) : DBNull.Value);
            insert.ExecuteNonQuery();
        }
        foreach (var reference in references)
        {
            Upsert(c, t, reference, image.LastTagTime ?? image.Added);
        }
        return 0;
    });

    public void SetReference(ReferenceRecord reference, DateTimeOffset tagTime) => Run((c, t) => Upsert(c, t, reference, tagTime));

    public void RemoveReferences(IReadOnlyList<string> references) => Run((c, t) =>
    {
        foreach (var reference in references)
        {
            using var delete = SqliteStateStore.CreateCommand(c, t, "DELETE FROM image_refs WHERE ref = $ref");
            delete.Parameters.AddWithValue("$ref", reference);
            delete.ExecuteNonQuery();
        }
        return 0;
    });

    public void RemoveImage(Digest id) => Run((c, t) =>
    {
        // image_refs rows go with it (ON DELETE CASCADE).
        using var delete = SqliteStateStore.CreateCommand(c, t, "DELETE FROM images WHERE id = $id");
        delete.Parameters.AddWithValue("$id", id.ToString());
        return delete.ExecuteNonQuery();
    });

    private static int Upsert(SqliteConnection c, SqliteTransaction t, ReferenceRecord reference, DateTimeOffset time)
    {
        using (var upsert = SqliteStateStore.CreateCommand(c, t,
            "INSERT INTO image_refs (ref, image_id, is_digest, added_unix_nano) VALUES ($ref, $id, $digest, $now) " +
            "ON CONFLICT (ref) DO UPDATE SET image_id = excluded.image_id, added_unix_nano = excluded.added_unix_nano"))
        {
            upsert.Parameters.AddWithValue("$ref", reference.Reference);
            upsert.Parameters.AddWithValue("$id", reference.ImageId.ToString());
            upsert.Parameters.AddWithValue("$digest", reference.IsDigest ? 1 : 0);
            upsert.Parameters.AddWithValue("$now", ToNanos(time));
            upsert.ExecuteNonQuery();
        }
        if (reference.IsDigest)
        {
            return 0;
        }
        using var stamp = SqliteStateStore.CreateCommand(c, t, "UPDATE images SET last_tag_unix_nano = $now WHERE id = $id");
        stamp.Parameters.AddWithValue("$id", reference.ImageId.ToString());
        stamp.Parameters.AddWithValue("$now", ToNanos(time));
        return stamp.ExecuteNonQuery();
    }

    private T Run<T>(Func<SqliteConnection, SqliteTransaction, T> work)
    {
        try
        {
            return _store.InTransaction(work);
        }
        catch (SqliteException e)
        {
            throw DaemonException.System($"image store: {e.Message}", e);
        }
    }

    private static long ToNanos(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    private static DateTimeOffset FromNanos(long nanos) => DateTimeOffset.UnixEpoch.AddTicks(nanos / 100);
}
