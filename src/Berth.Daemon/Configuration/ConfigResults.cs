using Berth.Engine.Configuration;

namespace Berth.Daemon.Configuration;

/// <summary>
/// Result of <see cref="ConfigLoader.Load"/>. Exactly one of: an <see cref="Error"/> (one line,
/// print it and exit 1), <see cref="ShowHelp"/> / <see cref="ShowVersion"/> (print and exit 0,
/// no config is loaded, as dockerd does), or a <see cref="Config"/>. With
/// <see cref="ValidateOnly"/> the caller prints "configuration OK" on success and exits.
/// </summary>
public sealed record ConfigLoadResult(DaemonConfig? Config, string? Error, bool ValidateOnly, bool ShowVersion, bool ShowHelp);

/// <summary>
/// Result of <see cref="ConfigLoader.Reload"/>. On error <see cref="Config"/> is the unchanged
/// current config (dockerd keeps running with it). <see cref="ChangedKeys"/> lists the
/// daemon.json keys whose effective value changed, in a fixed order.
/// </summary>
public sealed record ConfigReloadResult(DaemonConfig Config, string? Error, IReadOnlyList<string> ChangedKeys);
