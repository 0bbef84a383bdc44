using Berth.Engine.Build;
using Berth.Engine.Errors;
using Microsoft.Data.Sqlite;

namespace Berth.Storage.Build;

/// <summary><see cref="IBuildCacheStore"/> on the <c>build_cache</c> table (migration 5).</summary>
public sealed class SqliteBuildCacheStore(SqliteStateStore store, TimeProvider time) : IBuildCacheStore
{
    public string? Lookup(string key) => Run((c, t) =>
    {
        using var select = SqliteStateStore.CreateCommand(c, t, "SELECT image_id FROM build_cache WHERE key = $key");
        select.Parameters.AddWithValue("$key", key);
        if (select.ExecuteScalar() is not string imageId)
        {
            return null;
        }
        using var touch = SqliteStateStore.CreateCommand(c, t, "UPDATE build_cache SET last_used_unix_nano = $now WHERE key = $key");
        touch.Parameters.AddWithValue("$key", key);
        touch.Parameters.AddWithValue("$now", Now());
        touch.ExecuteNonQuery();
        return imageId;
    });

    public void Store(string key, string imageId) => Run((c, t) =>
    {
        using var upsert = SqliteStateStore.CreateCommand(c, t,
            "INSERT INTO build_cache (key, image_id, created_unix_nano, last_used_unix_nano) VALUES ($key, $image, $now, $now) " +
            "ON CONFLICT (key) DO UPDATE SET image_id = excluded.image_id, last_used_unix_nano = excluded.last_used_unix_nano");
        upsert.Parameters.AddWithValue("$key", key);
        upsert.Parameters.AddWithValue("$image", imageId);
        upsert.Parameters.AddWithValue("$now", Now());
        return upsert.ExecuteNonQuery();
    });

    public IReadOnlyList<BuildCacheEntry> List() => Run((c, t) =>
    {
        using var select = SqliteStateStore.CreateCommand(c, t, "SELECT key, image_id, created_unix_nano, last_used_unix_nano FROM build_cache ORDER BY created_unix_nano");
        using var reader = select.ExecuteReader();
        var list = new List<BuildCacheEntry>();
        while (reader.Read())
        {
            list.Add(new BuildCacheEntry(reader.GetString(0), reader.GetString(1), FromNanos(reader.GetInt64(2)), FromNanos(reader.GetInt64(3))));
        }
        return list;
    });

    public void Delete(IReadOnlyList<string> keys) => Run((c, t) =>
    {
        foreach (var key in keys)
        {
            using var delete = SqliteStateStore.CreateCommand(c, t, "DELETE FROM build_cache WHERE key = $key");
            delete.Parameters.AddWithValue("$key", key);
            delete.ExecuteNonQuery();
        }
        return 0;
    });

    private long Now() => (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    private static DateTimeOffset FromNanos(long nanos) => DateTimeOffset.UnixEpoch.AddTicks(nanos / 100);

    private T Run<T>(Func<SqliteConnection, SqliteTransaction, T> work)
    {
        try
        {
            return store.InTransaction(work);
        }
        catch (SqliteException e)
        {
            throw DaemonException.System(Messages.StateWriteFailed("build cache", "", e.Message), e);
        }
    }
}
