using Berth.Engine.Containers;
using Berth.Engine.Images;

namespace Berth.Api.Models;

/// <summary>Wire ↔ engine for the container operations (update body, health in inspect, blkio devices).</summary>
public static class ContainerOpsWireMapping
{
    /// <summary>
    /// The update body: HostConfig's resource fields and RestartPolicy. Unlike create, an absent
    /// restart policy stays empty (= unchanged) instead of becoming "no".
    /// </summary>
    public static UpdateRequest ToUpdate(HostConfigWire body)
    {
        HostSettings mapped = ContainerWireMapping.ToEngine(body);
        return new UpdateRequest(mapped with
        {
            RestartPolicy = new RestartPolicySettings(body.RestartPolicy?.Name ?? "", body.RestartPolicy?.MaximumRetryCount ?? 0),
        });
    }

    public static HealthWire? ToWire(HealthState? health) => health is null
        ? null
        : new HealthWire(health.Status, health.FailingStreak,
            [.. health.Log.Select(l => new HealthLogWire(Time(l.Start), Time(l.End), l.ExitCode, l.Output))]);

    public static List<ThrottleDeviceSettings>? Throttles(List<ThrottleDeviceWire>? list) =>
        list?.Select(d => new ThrottleDeviceSettings(d.Path ?? "", d.Rate ?? 0)).ToList();

    public static List<ThrottleDeviceWire>? ThrottlesWire(IReadOnlyList<ThrottleDeviceSettings>? list) =>
        list?.Select(d => new ThrottleDeviceWire(d.Path, d.Rate)).ToList();

    private static string Time(DateTimeOffset t) => GoTime.FormatRfc3339Nano(t.ToUniversalTime());
}
