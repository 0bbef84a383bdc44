namespace Berth.Engine.Containers;

/// <summary>One probe run as inspect shows it (moby HealthcheckResult).</summary>
public sealed record HealthLogEntry(DateTimeOffset Start, DateTimeOffset End, int ExitCode, string Output);

/// <summary>State.Health (moby container.Health): status, consecutive failures, the last five results.</summary>
public sealed record HealthState
{
    public const string Starting = "starting";
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";

    /// <summary>The ps filter's value for a container without a health check.</summary>
    public const string None = "none";

    public string Status { get; init; } = Starting;
    public int FailingStreak { get; init; }
    public IReadOnlyList<HealthLogEntry> Log { get; init; } = [];

    /// <summary>The STATUS column's suffix: "health: starting", "healthy", "unhealthy".</summary>
    public string Describe() => Status == Starting ? "health: starting" : Status;
}
