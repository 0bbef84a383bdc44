using System.Text.Json;

namespace Berth.Runtime.Oci;

/// <summary>
/// What runc's own state file (&lt;root&gt;/&lt;id&gt;/state.json, libcontainer's State) says about a
/// container, as far as `runc delete` of a stopped one needs it. For a stopped container whose
/// pid namespace was its own and that has no hooks, runc's delete only removes the cgroup
/// directories it recorded and then its state directory; <see cref="RuncRuntime"/> does that
/// itself instead of starting runc (a Go process, ~10 ms of CPU after every container exit).
/// Anything else needs runc: a shared or joined pid namespace (its leftover processes must be
/// killed), hooks (poststop runs at delete), the systemd cgroup driver (a scope unit to stop),
/// Intel RDT groups, rootless state.
/// </summary>
public sealed record RuncStateFacts(int InitPid, ulong InitStartTime, IReadOnlyList<string> CgroupPaths, string? NeedsRuncBecause)
{
    /// <summary>The freezer hierarchy's path, if the container has one (a frozen cgroup means paused, not stopped).</summary>
    public string? FreezerPath { get; init; }

    /// <summary>Null when <paramref name="json"/> is not a runc state file berthd understands.</summary>
    public static RuncStateFacts? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using JsonDocument doc = JsonDocument.ParseValue(ref reader);
            return FromRoot(doc.RootElement);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null; // not JSON, or a field of another type than runc writes
        }
    }

    private static RuncStateFacts? FromRoot(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("init_process_pid", out JsonElement pidElement) || pidElement.ValueKind != JsonValueKind.Number || !pidElement.TryGetInt32(out int pid)
            || !root.TryGetProperty("init_process_start", out JsonElement startElement) || startElement.ValueKind != JsonValueKind.Number || !startElement.TryGetUInt64(out ulong start)
            || !root.TryGetProperty("config", out JsonElement config) || config.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var paths = new List<string>();
        string? freezer = null;
        if (root.TryGetProperty("cgroup_paths", out JsonElement cgroups) && cgroups.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty p in cgroups.EnumerateObject())
            {
                if (p.Value.GetString() is { Length: > 0 } path && Path.IsPathFullyQualified(path))
                {
                    paths.Add(path);
                    if (p.Name == "freezer")
                    {
                        freezer = path;
                    }
                }
            }
        }
        return new RuncStateFacts(pid, start, paths, WhyRuncIsNeeded(root, config)) { FreezerPath = freezer };
    }

    private static string? WhyRuncIsNeeded(JsonElement root, JsonElement config)
    {
        if (!HasOwnPidNamespace(config))
        {
            return "shared pid namespace";
        }
        if (config.TryGetProperty("Hooks", out JsonElement hooks) && hooks.ValueKind == JsonValueKind.Object
            && hooks.EnumerateObject().Any(h => h.Value.ValueKind == JsonValueKind.Array && h.Value.GetArrayLength() > 0))
        {
            return "hooks";
        }
        if (config.TryGetProperty("cgroups", out JsonElement cgroup) && cgroup.ValueKind == JsonValueKind.Object
            && cgroup.TryGetProperty("Systemd", out JsonElement systemd) && systemd.ValueKind == JsonValueKind.True)
        {
            return "systemd cgroups";
        }
        if (root.TryGetProperty("intel_rdt_path", out JsonElement rdt) && rdt.ValueKind == JsonValueKind.String && rdt.GetString()!.Length > 0)
        {
            return "intel rdt";
        }
        if (root.TryGetProperty("rootless", out JsonElement rootless) && rootless.ValueKind == JsonValueKind.True)
        {
            return "rootless";
        }
        return null;
    }

    // runc kills every process left in the cgroup unless the container had a pid namespace of its
    // own (NEWPID without a path to join): there, the init's death took the rest with it.
    private static bool HasOwnPidNamespace(JsonElement config)
    {
        if (!config.TryGetProperty("namespaces", out JsonElement namespaces) || namespaces.ValueKind != JsonValueKind.Array)
        {
            return false;
        }
        foreach (JsonElement ns in namespaces.EnumerateArray())
        {
            if (ns.ValueKind == JsonValueKind.Object
                && ns.TryGetProperty("type", out JsonElement type) && type.ValueEquals("NEWPID"))
            {
                return !ns.TryGetProperty("path", out JsonElement path) || path.ValueKind != JsonValueKind.String || path.GetString()!.Length == 0;
            }
        }
        return false;
    }
}
