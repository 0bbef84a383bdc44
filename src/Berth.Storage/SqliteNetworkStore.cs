using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Engine.Errors;
using Berth.Engine.Networks;
using Microsoft.Data.Sqlite;

namespace Berth.Storage;

/// <summary><see cref="INetworkStore"/> on the daemon's SQLite file (tables of migration 3).</summary>
public sealed class SqliteNetworkStore : INetworkStore
{
    private readonly SqliteStateStore _db;

    public SqliteNetworkStore(SqliteStateStore db)
    {
        _db = db;
    }

    public IReadOnlyList<NetworkRecord> LoadNetworks() =>
        _db.InTransaction((c, t) =>
        {
            using var command = SqliteStateStore.CreateCommand(c, t,
                "SELECT id, name, driver, created_unix_nano, internal, attachable, enable_ipv6, predefined, bridge_name, " +
                "labels_json, options_json, ipam_driver, ipam_options_json, ipam_config_json FROM networks ORDER BY created_unix_nano");
            using var reader = command.ExecuteReader();
            var result = new List<NetworkRecord>();
            while (reader.Read())
            {
                result.Add(new NetworkRecord
                {
                    Id = reader.GetString(0),
                    Name = reader.GetString(1),
                    Driver = reader.GetString(2),
                    Created = DateTimeOffset.UnixEpoch.AddTicks(reader.GetInt64(3) / 100),
                    Internal = reader.GetInt64(4) != 0,
                    Attachable = reader.GetInt64(5) != 0,
                    EnableIPv6 = reader.GetInt64(6) != 0,
                    Predefined = reader.GetInt64(7) != 0,
                    BridgeName = reader.GetString(8),
                    Labels = Map(reader.GetString(9)),
                    Options = Map(reader.GetString(10)),
                    IpamDriver = reader.GetString(11),
                    IpamOptions = reader.IsDBNull(12) ? null : Map(reader.GetString(12)),
                    IpamConfig = JsonSerializer.Deserialize(reader.GetString(13), NetworkStoreJson.Default.ListIpamPoolConfig) ?? [],
                });
            }
            return result;
        });

    public void InsertNetwork(NetworkRecord network, IReadOnlyDictionary<string, string> reservedAddresses)
    {
        var n = network;
        try
        {
            _db.InTransaction((c, t) =>
            {
                using (var command = SqliteStateStore.CreateCommand(c, t,
                    "INSERT INTO networks VALUES ($id, $name, $driver, $created, $internal, $attachable, $ipv6, $predefined, " +
                    "$bridge, $labels, $options, $ipamDriver, $ipamOptions, $ipamConfig)"))
                {
                    var p = command.Parameters;
                    p.AddWithValue("$id", n.Id);
                    p.AddWithValue("$name", n.Name);
                    p.AddWithValue("$driver", n.Driver);
                    p.AddWithValue("$created", (n.Created - DateTimeOffset.UnixEpoch).Ticks * 100);
                    p.AddWithValue("$internal", n.Internal ? 1 : 0);
                    p.AddWithValue("$attachable", n.Attachable ? 1 : 0);
                    p.AddWithValue("$ipv6", n.EnableIPv6 ? 1 : 0);
                    p.AddWithValue("$predefined", n.Predefined ? 1 : 0);
                    p.AddWithValue("$bridge", n.BridgeName);
                    p.AddWithValue("$labels", Json(n.Labels));
                    p.AddWithValue("$options", Json(n.Options));
                    p.AddWithValue("$ipamDriver", n.IpamDriver);
                    p.AddWithValue("$ipamOptions", n.IpamOptions is null ? DBNull.Value : Json(n.IpamOptions));
                    p.AddWithValue("$ipamConfig", JsonSerializer.Serialize(n.IpamConfig.ToList(), NetworkStoreJson.Default.ListIpamPoolConfig));
                    command.ExecuteNonQuery();
                }
                foreach (var (address, owner) in reservedAddresses)
                {
                    InsertAddress(c, t, n.Id, address, owner);
                }
                return 0;
            });
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19) // SQLITE_CONSTRAINT: the UNIQUE name
        {
            throw DaemonException.Conflict(Messages.NetworkNameExists(n.Name));
        }
    }

    public void DeleteNetwork(string id) =>
        _db.InTransaction((c, t) =>
        {
            using var command = SqliteStateStore.CreateCommand(c, t, "DELETE FROM networks WHERE id = $id");
            command.Parameters.AddWithValue("$id", id);
            return command.ExecuteNonQuery();
        });

    public IReadOnlyDictionary<string, string> LoadAddresses(string networkId) =>
        _db.InTransaction((c, t) =>
        {
            using var command = SqliteStateStore.CreateCommand(c, t, "SELECT address, owner FROM network_addresses WHERE network_id = $id");
            command.Parameters.AddWithValue("$id", networkId);
            using var reader = command.ExecuteReader();
            var result = new Dictionary<string, string>();
            while (reader.Read())
            {
                result[reader.GetString(0)] = reader.GetString(1);
            }
            return result;
        });

    public bool TryAddAddress(string networkId, string address, string owner) =>
        _db.InTransaction((c, t) => InsertAddress(c, t, networkId, address, owner, ignore: true) == 1);

    public void RemoveAddress(string networkId, string address) =>
        _db.InTransaction((c, t) =>
        {
            using var command = SqliteStateStore.CreateCommand(c, t, "DELETE FROM network_addresses WHERE network_id = $id AND address = $address");
            command.Parameters.AddWithValue("$id", networkId);
            command.Parameters.AddWithValue("$address", address);
            return command.ExecuteNonQuery();
        });

    private static int InsertAddress(SqliteConnection c, SqliteTransaction t, string networkId, string address, string owner, bool ignore = false)
    {
        using var command = SqliteStateStore.CreateCommand(c, t,
            $"INSERT {(ignore ? "OR IGNORE " : "")}INTO network_addresses (network_id, address, owner) VALUES ($id, $address, $owner)");
        command.Parameters.AddWithValue("$id", networkId);
        command.Parameters.AddWithValue("$address", address);
        command.Parameters.AddWithValue("$owner", owner);
        return command.ExecuteNonQuery();
    }

    private static string Json(IReadOnlyDictionary<string, string> map) =>
        JsonSerializer.Serialize(new Dictionary<string, string>(map), NetworkStoreJson.Default.DictionaryStringString);

    private static Dictionary<string, string> Map(string json) =>
        JsonSerializer.Deserialize(json, NetworkStoreJson.Default.DictionaryStringString) ?? [];
}

[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<IpamPoolConfig>))]
internal sealed partial class NetworkStoreJson : JsonSerializerContext;
