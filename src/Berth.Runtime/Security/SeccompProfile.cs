using System.Text.Json.Serialization;
using Berth.Runtime.Spec;

namespace Berth.Runtime.Security;

/// <summary>
/// Docker's seccomp profile format (what `--security-opt seccomp=profile.json` carries): the
/// OCI fields plus archMap and per-rule includes/excludes that are resolved against the
/// container's capabilities, the host architecture and the kernel version.
/// </summary>
public sealed class SeccompProfile
{
    public string DefaultAction { get; set; } = "";
    public uint? DefaultErrnoRet { get; set; }
    public List<string>? Architectures { get; set; }
    public List<SeccompArchMap>? ArchMap { get; set; }
    public List<string>? Flags { get; set; }
    public string? ListenerPath { get; set; }
    public List<SeccompRule>? Syscalls { get; set; }
}

public sealed class SeccompArchMap
{
    public string Architecture { get; set; } = "";
    public List<string>? SubArchitectures { get; set; }
}

public sealed class SeccompRule
{
    /// <summary>Legacy single-name form; mutually exclusive with Names.</summary>
    public string? Name { get; set; }
    public List<string>? Names { get; set; }
    public string Action { get; set; } = "";
    public uint? ErrnoRet { get; set; }
    public List<OciSyscallArg>? Args { get; set; }
    public string? Comment { get; set; }
    public SeccompFilter? Includes { get; set; }
    public SeccompFilter? Excludes { get; set; }
}

/// <summary>A rule applies when all of Includes match and none of Excludes does.</summary>
public sealed class SeccompFilter
{
    public List<string>? Caps { get; set; }
    public List<string>? Arches { get; set; }
    public string? MinKernel { get; set; }
}

/// <summary>
/// Reading is case-insensitive like Go's encoding/json, so profiles written for dockerd load.
/// Numbers are strict: an errno or value given as a string is a decoding error, as in Go.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SeccompProfile))]
internal sealed partial class SeccompProfileJsonContext : JsonSerializerContext;
