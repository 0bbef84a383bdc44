namespace Berth.Engine.Configuration;

/// <summary>
/// One runtime added with --add-runtime or daemon.json "runtimes": the binary as configured
/// (a bare name is looked up on PATH when the daemon starts) and the options placed before
/// every subcommand ("runtimeArgs").
/// </summary>
public sealed record OciRuntimeConfig(string Path, IReadOnlyList<string> Args)
{
    public OciRuntimeConfig(string path)
        : this(path, [])
    {
    }
}

/// <summary>dockerd's fixed runtime names (moby daemon/config StockRuntimeName, the containerd shim name).</summary>
public static class RuntimeNames
{
    /// <summary>The stock runtime every daemon has; it cannot be redefined.</summary>
    public const string Runc = "runc";

    /// <summary>containerd's name for the runc shim: dockerd 20+ accepts it as another name for runc.</summary>
    public const string ContainerdRuncV2 = "io.containerd.runc.v2";

    /// <summary>Names that always mean the stock runc and so cannot be configured.</summary>
    public static bool IsReserved(string name) => name is Runc or ContainerdRuncV2;
}
