using System.Text.Json;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Microsoft.Data.Sqlite;

namespace Berth.Storage.Containers;

/// <summary><see cref="IContainerStore"/> on the <c>containers</c> table (migration 5).</summary>
public sealed class SqliteContainerStore : IContainerStore
{
    private readonly SqliteStateStore _store;

    public SqliteContainerStore(SqliteStateStore store)
    {
        _store = store;
    }

    /// <summary>Rows that do not parse are skipped and reported through <see cref="LoadWarnings"/> (a newer build's document, a bug).</summary>
    public List<string> LoadWarnings { get; } = [];

    public IReadOnlyList<ContainerRecord> List() => Run((c, t) =>
    {
        using var command = SqliteStateStore.CreateCommand(c, t, "SELECT id, document FROM containers ORDER BY created_unix_nano");
        using var reader = command.ExecuteReader();
        var list = new List<ContainerRecord>();
        while (reader.Read())
        {
            try
            {
                list.Add(ContainerRecordJson.Deserialize(reader.GetString(1)));
            }
            catch (JsonException e)
            {
                LoadWarnings.Add($"container {reader.GetString(0)} skipped: {e.Message}");
            }
        }
        return list;
    });

    public void Save(ContainerRecord record) => Run((c, t) =>
    {
        using var upsert = SqliteStateStore.CreateCommand(c, t,
            "INSERT INTO containers (id, image_id, status, created_unix_nano, document) VALUES ($id, $image, $status, $created, $doc) " +
            "ON CONFLICT (id) DO UPDATE SET image_id = excluded.image_id, status = excluded.status, document = excluded.document");
        upsert.Parameters.AddWithValue("$id", record.Id);
        upsert.Parameters.AddWithValue("$image", record.ImageId);
        upsert.Parameters.AddWithValue("$status", ContainerState.StatusText(record.State.Status));
        upsert.Parameters.AddWithValue("$created", (record.Created - DateTimeOffset.UnixEpoch).Ticks * 100);
        upsert.Parameters.AddWithValue("$doc", ContainerRecordJson.Serialize(record));
        return upsert.ExecuteNonQuery();
    });

    public void Delete(string id) => Run((c, t) =>
    {
        using var delete = SqliteStateStore.CreateCommand(c, t, "DELETE FROM containers WHERE id = $id");
        delete.Parameters.AddWithValue("$id", id);
        return delete.ExecuteNonQuery();
    });

    private T Run<T>(Func<SqliteConnection, SqliteTransaction, T> work)
    {
        try
        {
            return _store.InTransaction(work);
        }
        catch (SqliteException e)
        {
            throw DaemonException.System(Messages.StateWriteFailed("container", "", e.Message), e);
        }
    }
}
