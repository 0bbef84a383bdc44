using Berth.Engine.Errors;
using Berth.Engine.State;
using Berth.Storage;

namespace Berth.UnitTests.Storage;

public sealed class SqliteNameRegistryTests : IDisposable
{
    private const string IdA = "abc1230000000000000000000000000000000000000000000000000000000001";
    private const string IdB = "abc4560000000000000000000000000000000000000000000000000000000002";
    private const string IdC = "def0000000000000000000000000000000000000000000000000000000000003";

    private readonly TestDataRoot _root = new();
    private SqliteStateStore _store;
    private INameRegistry _containers;

    public SqliteNameRegistryTests()
    {
        _store = new SqliteStateStore(_root.Path);
        _containers = new SqliteNameRegistryFactory(_store).Open("container");
    }

    public void Dispose()
    {
        _store.Dispose();
        _root.Dispose();
    }

    [Fact]
    public void Resolve_ByFullIdNameSlashNameAndPrefix()
    {
        _containers.Register(IdA, "web");

        Assert.Equal(IdA, _containers.Resolve(IdA));
        Assert.Equal(IdA, _containers.Resolve("web"));
        Assert.Equal(IdA, _containers.Resolve("/web"));
        Assert.Equal(IdA, _containers.Resolve("abc123"));
        Assert.Equal(IdA, _containers.Resolve("a"));
        Assert.Equal("web", _containers.NameOf(IdA));
        Assert.Equal(1, _containers.Count);
    }

    [Fact]
    public void Register_AcceptsLeadingSlashAndNoName()
    {
        _containers.Register(IdA, "/web");
        _containers.Register(IdB, null);

        Assert.Equal("web", _containers.NameOf(IdA));
        Assert.Null(_containers.NameOf(IdB));
        Assert.Equal(IdB, _containers.Resolve("abc4"));
    }

    [Fact]
    public void Resolve_ExactNameWinsOverIdPrefix()
    {
        _containers.Register(IdA, null);
        _containers.Register(IdC, "abc1");

        Assert.Equal(IdC, _containers.Resolve("abc1"));
        Assert.Equal(IdA, _containers.Resolve("abc12"));
    }

    [Fact]
    public void Resolve_AmbiguousPrefix_IsInvalidParameterWithDockerdText()
    {
        _containers.Register(IdA, null);
        _containers.Register(IdB, null);

        var error = Assert.Throws<DaemonException>(() => _containers.Resolve("abc"));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal("multiple IDs found with provided prefix: abc", error.Message);
        Assert.Throws<DaemonException>(() => _containers.TryResolve("abc"));
        Assert.Equal(IdB, _containers.Resolve("abc4"));
    }

    [Fact]
    public void Resolve_Unknown_IsNotFound()
    {
        _containers.Register(IdA, "web");

        var error = Assert.Throws<DaemonException>(() => _containers.Resolve("nope"));
        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Equal("No such container: nope", error.Message);
        Assert.Null(_containers.TryResolve("nope"));
        Assert.Null(_containers.TryResolve("abd"));
    }

    [Fact]
    public void Resolve_Empty_IsInvalidParameter()
    {
        var error = Assert.Throws<DaemonException>(() => _containers.Resolve(""));

        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal("invalid name or ID supplied: \"\"", error.Message);
    }

    [Fact]
    public void Register_TakenName_IsConflictWithDockerdText()
    {
        _containers.Register(IdA, "web");

        var error = Assert.Throws<DaemonException>(() => _containers.Register(IdB, "/web"));

        Assert.Equal(ErrorKind.Conflict, error.Kind);
        Assert.Equal(
            $"Conflict. The container name \"/web\" is already in use by container \"{IdA}\". " +
            "You have to remove (or rename) that container to be able to reuse that name.",
            error.Message);
    }

    [Fact]
    public void Register_Conflict_LeavesMemoryAndDatabaseUnchanged()
    {
        _containers.Register(IdA, "web");

        Assert.Throws<DaemonException>(() => _containers.Register(IdB, "web"));

        Assert.Equal(1, _containers.Count);
        Assert.Null(_containers.TryResolve(IdB));
        Assert.Equal(IdA, _containers.Resolve("web"));
        Assert.Equal(1L, SqliteStateStoreTests.Scalar(_store, "SELECT count(*) FROM names"));
    }

    [Fact]
    public void Register_FailedDatabaseWrite_LeavesMemoryUnchanged()
    {
        // A row the in-memory view does not know about makes the INSERT hit UNIQUE(kind, name).
        _store.InTransaction((connection, transaction) =>
        {
            using var command = SqliteStateStore.CreateCommand(connection, transaction,
                $"INSERT INTO names (kind, id, name, created_unix_nano) VALUES ('container', '{IdC}', 'ghost', 0)");
            return command.ExecuteNonQuery();
        });

        var error = Assert.Throws<DaemonException>(() => _containers.Register(IdA, "ghost"));

        Assert.Equal(ErrorKind.System, error.Kind);
        Assert.Equal(0, _containers.Count);
        Assert.Null(_containers.TryResolve("ghost"));
        Assert.Null(_containers.NameOf(IdA));
        Assert.Equal(0L, SqliteStateStoreTests.Scalar(_store, $"SELECT count(*) FROM names WHERE id = '{IdA}'"));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("-web")]
    [InlineData("my web")]
    [InlineData("web/1")]
    [InlineData("")]
    public void Register_InvalidContainerName_IsInvalidParameter(string name)
    {
        var error = Assert.Throws<DaemonException>(() => _containers.Register(IdA, name));

        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", error.Message);
        Assert.Equal(0, _containers.Count);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("ABC1230000000000000000000000000000000000000000000000000000000001")]
    public void Register_InvalidId_IsInvalidParameter(string id)
    {
        var error = Assert.Throws<DaemonException>(() => _containers.Register(id, "web"));

        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
    }

    [Fact]
    public void Register_DuplicateId_IsConflict()
    {
        _containers.Register(IdA, "web");

        var error = Assert.Throws<DaemonException>(() => _containers.Register(IdA, "other"));

        Assert.Equal(ErrorKind.Conflict, error.Kind);
        Assert.Null(_containers.TryResolve("other"));
    }

    [Fact]
    public void Rename_MovesTheNameAndFreesTheOldOne()
    {
        _containers.Register(IdA, "web");

        _containers.Rename(IdA, "/api");
        _containers.Register(IdB, "web");

        Assert.Equal("api", _containers.NameOf(IdA));
        Assert.Equal(IdA, _containers.Resolve("api"));
        Assert.Equal(IdB, _containers.Resolve("web"));
    }

    [Fact]
    public void Rename_Errors_MatchDockerd()
    {
        _containers.Register(IdA, "web");
        _containers.Register(IdB, "api");

        var taken = Assert.Throws<DaemonException>(() => _containers.Rename(IdA, "api"));
        var same = Assert.Throws<DaemonException>(() => _containers.Rename(IdA, "web"));
        var empty = Assert.Throws<DaemonException>(() => _containers.Rename(IdA, ""));
        var unknown = Assert.Throws<DaemonException>(() => _containers.Rename(IdC, "db"));

        Assert.Equal(ErrorKind.Conflict, taken.Kind);
        Assert.Equal("Renaming a container with the same name as its current name", same.Message);
        Assert.Equal(ErrorKind.InvalidParameter, same.Kind);
        Assert.Equal("Neither old nor new names may be empty", empty.Message);
        Assert.Equal("No such container: " + IdC, unknown.Message);
        Assert.Equal(ErrorKind.NotFound, unknown.Kind);
        Assert.Equal("web", _containers.NameOf(IdA));
    }

    [Fact]
    public void Unregister_RemovesIdAndName_UnknownIsIgnored()
    {
        _containers.Register(IdA, "web");

        _containers.Unregister(IdA);
        _containers.Unregister(IdC);

        Assert.Equal(0, _containers.Count);
        Assert.Null(_containers.TryResolve("web"));
        Assert.Null(_containers.TryResolve(IdA));
        Assert.Equal(0L, SqliteStateStoreTests.Scalar(_store, "SELECT count(*) FROM names"));
        _containers.Register(IdB, "web");
    }

    [Fact]
    public void Reopen_SeesPersistedChanges()
    {
        _containers.Register(IdA, "web");
        _containers.Register(IdB, null);
        _containers.Register(IdC, "db");
        _containers.Rename(IdA, "api");
        _containers.Unregister(IdC);
        _store.Dispose();

        _store = new SqliteStateStore(_root.Path);
        _containers = new SqliteNameRegistryFactory(_store).Open("container");

        Assert.Equal(2, _containers.Count);
        Assert.Equal(IdA, _containers.Resolve("api"));
        Assert.Null(_containers.TryResolve("web"));
        Assert.Null(_containers.NameOf(IdB));
        Assert.Null(_containers.TryResolve(IdC));
    }

    [Fact]
    public void Factory_CachesPerKindAndKindsAreIndependent()
    {
        var factory = new SqliteNameRegistryFactory(_store);
        var networks = factory.Open("network");

        Assert.Same(networks, factory.Open("network"));
        Assert.Equal("network", networks.Kind);
        _containers.Register(IdA, "shared");
        networks.Register(IdB, "shared");

        Assert.Equal(IdA, _containers.Resolve("shared"));
        Assert.Equal(IdB, networks.Resolve("shared"));
        var notFound = Assert.Throws<DaemonException>(() => networks.Resolve("x1"));
        Assert.Equal("No such network: x1", notFound.Message);
    }

    [Fact]
    public void OtherKinds_UseGenericConflictTextAndNoContainerNameRule()
    {
        var volumes = new SqliteNameRegistryFactory(_store).Open("volume");
        volumes.Register(IdA, "v");

        var error = Assert.Throws<DaemonException>(() => volumes.Register(IdB, "v"));

        Assert.Equal(ErrorKind.Conflict, error.Kind);
        Assert.Equal($"Conflict. The volume name \"v\" is already in use by volume \"{IdA}\".", error.Message);
    }
}
