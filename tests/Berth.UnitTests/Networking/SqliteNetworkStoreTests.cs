using Berth.Engine.Errors;
using Berth.Engine.Networks;
using Berth.Storage;
using Berth.UnitTests.Storage;

namespace Berth.UnitTests.Networking;

public sealed class SqliteNetworkStoreTests : IDisposable
{
    private readonly TestDataRoot _root = new();

    public void Dispose() => _root.Dispose();

    private static NetworkRecord Sample(string id, string name) => new()
    {
        Id = id,
        Name = name,
        Driver = "bridge",
        Created = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567),
        Internal = true,
        Labels = new Dictionary<string, string> { ["a"] = "b" },
        Options = new Dictionary<string, string> { ["com.docker.network.driver.mtu"] = "1400" },
        IpamConfig = [new IpamPoolConfig("10.1.0.0/24", "10.1.0.128/25", "10.1.0.1", new Dictionary<string, string> { ["h"] = "10.1.0.5" })],
        BridgeName = "br-" + id[..12],
    };

    [Fact]
    public void InsertLoadDelete_RoundTripsAndCascadesAddresses()
    {
        string id = new('a', 64);
        using (var db = new SqliteStateStore(_root.Path))
        {
            var store = new SqliteNetworkStore(db);
            store.InsertNetwork(Sample(id, "n1"), new Dictionary<string, string> { ["10.1.0.1"] = "gateway" });
            Assert.True(store.TryAddAddress(id, "10.1.0.2", "ep1"));
            Assert.False(store.TryAddAddress(id, "10.1.0.2", "ep2"));
        }
        using (var db = new SqliteStateStore(_root.Path))
        {
            var store = new SqliteNetworkStore(db);
            var loaded = Assert.Single(store.LoadNetworks());
            var expected = Sample(id, "n1");
            Assert.Equal(expected.Created, loaded.Created);
            Assert.Equal(expected.IpamConfig[0].Subnet, loaded.IpamConfig[0].Subnet);
            Assert.Equal("10.1.0.5", loaded.IpamConfig[0].AuxiliaryAddresses!["h"]);
            Assert.Equal("b", loaded.Labels["a"]);
            Assert.True(loaded.Internal);
            Assert.Equal(new Dictionary<string, string> { ["10.1.0.1"] = "gateway", ["10.1.0.2"] = "ep1" }, store.LoadAddresses(id));

            var conflict = Assert.Throws<DaemonException>(() => store.InsertNetwork(Sample(new string('b', 64), "n1"), new Dictionary<string, string>()));
            Assert.Equal(ErrorKind.Conflict, conflict.Kind);

            store.RemoveAddress(id, "10.1.0.2");
            store.DeleteNetwork(id);
            Assert.Empty(store.LoadNetworks());
            Assert.Empty(store.LoadAddresses(id));
        }
    }
}
