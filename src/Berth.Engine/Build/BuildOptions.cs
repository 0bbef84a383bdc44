namespace Berth.Engine.Build;

/// <summary>The query of POST /build, already parsed and validated at the API edge.</summary>
public sealed record BuildOptions
{
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string Dockerfile { get; init; } = "Dockerfile";
    public IReadOnlyDictionary<string, string?> BuildArgs { get; init; } = new Dictionary<string, string?>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public string? Target { get; init; }
    public bool NoCache { get; init; }
    public bool Pull { get; init; }
    public bool Remove { get; init; } = true;
    public bool ForceRemove { get; init; }
    public bool Quiet { get; init; }
    public IReadOnlyList<string> CacheFrom { get; init; } = [];
    public string? NetworkMode { get; init; }
    public long ShmSize { get; init; }
    public long Memory { get; init; }
    public long MemorySwap { get; init; }
    public long CpuShares { get; init; }
    public long CpuPeriod { get; init; }
    public long CpuQuota { get; init; }
    public string? CpusetCpus { get; init; }
    public string? CpusetMems { get; init; }
    public string? Platform { get; init; }
    public IReadOnlyList<string> ExtraHosts { get; init; } = [];
}

/// <summary>Where the build's JSON message stream goes ("stream" text, the "aux" image id).</summary>
public interface IBuildOutput
{
    ValueTask WriteAsync(string text, CancellationToken cancellationToken);

    ValueTask AuxAsync(string imageId, CancellationToken cancellationToken);
}

/// <summary>A step that failed with its command's exit code (the errorDetail code).</summary>
public sealed class BuildStepException(string message, int code) : Exception(message)
{
    public int Code { get; } = code;
}
