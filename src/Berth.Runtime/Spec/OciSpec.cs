using System.Text.Json.Serialization;

namespace Berth.Runtime.Spec;

/// <summary>
/// The OCI runtime config.json (runtime-spec 1.x), only the parts Berth writes. Property
/// names follow the spec's spelling; the irregular ones carry an explicit name. Null members
/// are omitted, and maps are sorted so the same input always produces the same bytes.
/// </summary>
public sealed class OciSpec
{
    public const string Version = "1.2.0";

    public string OciVersion { get; set; } = Version;
    public OciProcess? Process { get; set; }
    public OciRoot? Root { get; set; }
    public string? Hostname { get; set; }
    public string? Domainname { get; set; }
    public List<OciMount> Mounts { get; set; } = [];
    public OciLinux? Linux { get; set; }
    public SortedDictionary<string, string>? Annotations { get; set; }
}

public sealed class OciProcess
{
    public bool Terminal { get; set; }
    public OciBox? ConsoleSize { get; set; }
    public OciUser User { get; set; } = new();
    public List<string> Args { get; set; } = [];
    public List<string> Env { get; set; } = [];
    public string Cwd { get; set; } = "/";
    public OciCapabilities? Capabilities { get; set; }
    public List<OciRlimit>? Rlimits { get; set; }
    public bool NoNewPrivileges { get; set; }
    public string? ApparmorProfile { get; set; }
    public int? OomScoreAdj { get; set; }
    public string? SelinuxLabel { get; set; }
}

public sealed class OciBox
{
    public uint Height { get; set; }
    public uint Width { get; set; }
}

public sealed class OciUser
{
    public uint Uid { get; set; }
    public uint Gid { get; set; }
    public uint? Umask { get; set; }
    public List<uint>? AdditionalGids { get; set; }
}

public sealed class OciCapabilities
{
    public List<string>? Bounding { get; set; }
    public List<string>? Effective { get; set; }
    public List<string>? Inheritable { get; set; }
    public List<string>? Permitted { get; set; }
    public List<string>? Ambient { get; set; }
}

public sealed class OciRlimit
{
    public string Type { get; set; } = "";
    public ulong Hard { get; set; }
    public ulong Soft { get; set; }
}

public sealed class OciRoot
{
    public string Path { get; set; } = "";
    public bool Readonly { get; set; }
}

public sealed class OciMount
{
    public string Destination { get; set; } = "";
    public string? Type { get; set; }
    public string? Source { get; set; }
    public List<string>? Options { get; set; }
}
