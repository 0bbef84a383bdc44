using System.Text.Json.Serialization;
using Berth.Engine.Networks;

namespace Berth.Api.Models;

/// <summary>One entry of GET /containers/json Ports (moby types.Port): IP and PublicPort only when published.</summary>
public sealed record PortWire(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? IP,
    int PrivatePort,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? PublicPort,
    string Type);

/// <summary>Engine port maps → inspect's NetworkSettings.Ports and list's Ports rows.</summary>
public static class PortWireMapping
{
    public static Dictionary<string, List<PortBindingWire>?> Map(IReadOnlyDictionary<string, IReadOnlyList<PublishedPort>?>? ports)
    {
        var map = new Dictionary<string, List<PortBindingWire>?>(StringComparer.Ordinal);
        foreach (var (key, bindings) in ports ?? new Dictionary<string, IReadOnlyList<PublishedPort>?>())
        {
            map[key] = bindings?.Select(b => new PortBindingWire(b.HostIp, b.HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        }
        return map;
    }

    public static IReadOnlyList<PortWire> Rows(IReadOnlyDictionary<string, IReadOnlyList<PublishedPort>?>? ports)
    {
        var rows = new List<PortWire>();
        foreach (var (key, bindings) in ports ?? new Dictionary<string, IReadOnlyList<PublishedPort>?>())
        {
            if (!PortKey.TryParse(key, out var port))
            {
                continue;
            }
            if (bindings is null || bindings.Count == 0)
            {
                rows.Add(new PortWire(null, port.Port, null, port.Proto));
                continue;
            }
            rows.AddRange(bindings.Select(b => new PortWire(b.HostIp, port.Port, b.HostPort, port.Proto)));
        }
        return rows;
    }
}
