using System.Runtime.Versioning;
using Berth.Engine.Errors;
using Berth.Storage;
using Microsoft.Data.Sqlite;

namespace Berth.UnitTests.Storage;

public sealed class SqliteStateStoreTests : IDisposable
{
    // The released schema version; tests add steps after it.
    private static readonly int Current = Migrations.All.Count;

    private static readonly Migration[] WithExtraTable =
    [
        .. Migrations.All,
        new(Current + 1, "CREATE TABLE extra (n INTEGER NOT NULL); INSERT INTO extra (n) VALUES (1);"),
    ];

    private readonly TestDataRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    [SupportedOSPlatform("linux")]
    public void Open_CreatesPrivateDirectoryAndConfiguresDatabase()
    {
        using var store = new SqliteStateStore(_root.Path);

        Assert.Equal(Path.Combine(_root.Path, "berth.db"), store.Path);
        Assert.True(File.Exists(store.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(_root.Path));
        Assert.Equal(Current, store.SchemaVersion);
        Assert.Equal("wal", Scalar(store, "PRAGMA journal_mode"));
        Assert.Equal(2L, Scalar(store, "PRAGMA synchronous")); // 2 = FULL
        Assert.Equal(1L, Scalar(store, "PRAGMA foreign_keys"));
        Assert.Equal((long)Current, Scalar(store, "PRAGMA user_version"));
    }

    [Fact]
    public void Migrations_RunOnceAndReopenKeepsData()
    {
        using (var store = new SqliteStateStore(_root.Path, WithExtraTable))
        {
            Assert.Equal(Current + 1, store.SchemaVersion);
            store.SetMeta("k", "v");
        }

        using var reopened = new SqliteStateStore(_root.Path, WithExtraTable);

        Assert.Equal(Current + 1, reopened.SchemaVersion);
        Assert.Equal(1L, Scalar(reopened, "SELECT count(*) FROM extra")); // migration 2 did not rerun
        Assert.Equal("v", reopened.GetMeta("k"));
    }

    [Fact]
    public void Migrations_UpgradeAnOlderDatabaseInPlace()
    {
        using (var store = new SqliteStateStore(_root.Path))
        {
            store.SetMeta("k", "v");
        }

        using var upgraded = new SqliteStateStore(_root.Path, WithExtraTable);

        Assert.Equal(Current + 1, upgraded.SchemaVersion);
        Assert.Equal((long)Current + 1, Scalar(upgraded, "PRAGMA user_version"));
        Assert.Equal("v", upgraded.GetMeta("k"));
    }

    [Fact]
    public void Open_NewerSchemaThanSupported_FailsWithSystemError()
    {
        new SqliteStateStore(_root.Path, WithExtraTable).Dispose();

        var error = Assert.Throws<DaemonException>(() => new SqliteStateStore(_root.Path));

        Assert.Equal(ErrorKind.System, error.Kind);
        Assert.StartsWith($"database schema version {Current + 1} is newer than this berthd supports ({Current}); ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Migration_ThatFails_LeavesPreviousVersionIntact()
    {
        new SqliteStateStore(_root.Path).Dispose();
        Migration[] broken = [.. Migrations.All, new(Current + 1, "CREATE TABLE half (n INTEGER); SELECT * FROM missing;")];

        Assert.Throws<SqliteException>(() => new SqliteStateStore(_root.Path, broken));

        using var store = new SqliteStateStore(_root.Path);
        Assert.Equal(Current, store.SchemaVersion);
        Assert.Equal(0L, Scalar(store, "SELECT count(*) FROM sqlite_master WHERE name = 'half'"));
    }

    [Fact]
    public void Migrations_WithGap_AreRejected()
    {
        Migration[] gap = [.. Migrations.All, new(Current + 2, "SELECT 1")];

        Assert.Throws<InvalidOperationException>(() => new SqliteStateStore(_root.Path, gap));
    }

    [Fact]
    public void Meta_SetGetAndOverwrite()
    {
        using var store = new SqliteStateStore(_root.Path);

        Assert.Null(store.GetMeta("missing"));
        store.SetMeta("k", "one");
        store.SetMeta("k", "two");

        Assert.Equal("two", store.GetMeta("k"));
        Assert.Equal(1L, Scalar(store, "SELECT count(*) FROM meta"));
    }

    [Fact]
    public void GetOrAddMeta_IsIdempotentAcrossReopen()
    {
        var calls = 0;
        string Create()
        {
            calls++;
            return "value-" + calls;
        }

        using (var store = new SqliteStateStore(_root.Path))
        {
            Assert.Equal("value-1", store.GetOrAddMeta("k", Create));
            Assert.Equal("value-1", store.GetOrAddMeta("k", Create));
        }
        using var reopened = new SqliteStateStore(_root.Path);

        Assert.Equal("value-1", reopened.GetOrAddMeta("k", Create));
        Assert.Equal(1, calls);
    }

    [Fact]
    public void InTransaction_ThatThrows_CommitsNothing()
    {
        using var store = new SqliteStateStore(_root.Path);

        Assert.Throws<InvalidOperationException>(() => store.InTransaction<int>((connection, transaction) =>
        {
            using var insert = SqliteStateStore.CreateCommand(connection, transaction,
                "INSERT INTO meta (key, value) VALUES ('k', 'v')");
            insert.ExecuteNonQuery();
            throw new InvalidOperationException("boom");
        }));

        Assert.Null(store.GetMeta("k"));
    }

    [Fact]
    public void DaemonId_IsAUuidThatSurvivesRestart()
    {
        string first;
        using (var store = new SqliteStateStore(_root.Path))
        {
            first = DaemonIdentity.GetOrCreateDaemonId(store);
            Assert.Equal(first, DaemonIdentity.GetOrCreateDaemonId(store));
        }
        using var reopened = new SqliteStateStore(_root.Path);

        Assert.True(Guid.TryParseExact(first, "D", out _), first);
        Assert.Equal(first, DaemonIdentity.GetOrCreateDaemonId(reopened));
        Assert.Equal(first, reopened.GetMeta(DaemonIdentity.MetaKey));
    }

    [Fact]
    public void UseAfterDispose_Throws()
    {
        var store = new SqliteStateStore(_root.Path);
        store.Dispose();
        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => store.GetMeta("k"));
    }

    internal static object? Scalar(SqliteStateStore store, string sql) =>
        store.InTransaction((connection, transaction) =>
        {
            using var command = SqliteStateStore.CreateCommand(connection, transaction, sql);
            return command.ExecuteScalar();
        });
}
