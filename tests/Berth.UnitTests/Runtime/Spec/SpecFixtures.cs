using System.Text.Json.Nodes;
using Berth.Runtime.Spec;

namespace Berth.UnitTests.Runtime.Spec;

internal sealed class FakeDevices : IHostDeviceResolver
{
    public IReadOnlyList<HostDevice> Resolve(string pathOnHost) => pathOnHost switch
    {
        "/dev/fuse" => [new HostDevice("", 'c', 10, 229, 0x21b6, 0, 0)],
        "/dev/snd" => [new HostDevice("/pcmC0D0p", 'c', 116, 16, 0x21b0, 0, 29), new HostDevice("/timer", 'c', 116, 33, 0x21b0, 0, 29)],
        _ => throw Berth.Engine.Errors.DaemonException.InvalidParameter(
            Berth.Engine.Errors.Messages.DeviceGatherFailed(pathOnHost, "no such file or directory")),
    };

    public IReadOnlyList<HostDevice> AllHostDevices() =>
        [new HostDevice("/dev/null", 'c', 1, 3, 0x21b6, 0, 0), new HostDevice("/dev/sda", 'b', 8, 0, 0x61b0, 0, 6)];
}

internal sealed class FakeNamespaces : INamespacePathResolver
{
    public string ResolveNamespacePath(string containerRef, string nsFile) => $"/proc/4242/ns/{nsFile}";
}

internal static class SpecFixtures
{
    public const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// <summary>Bounding set of the test host: everything but CAP_SYS_RESOURCE (as on this machine).</summary>
    public static readonly IReadOnlyList<string> HostCaps =
        Berth.Runtime.Security.Capabilities.FromMask("000001fffeffffff");

    public const string Passwd = """
        root:x:0:0:root:/root:/bin/sh
        daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
        www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
        app:x:1000:1000:App:/home/app:/bin/sh
        """;

    public const string Group = """
        root:x:0:
        daemon:x:1:
        wheel:x:10:root,app
        audio:x:29:app
        www-data:x:33:
        app:x:1000:
        """;

    /// <summary>`docker run busybox sh` as the container service would describe it.</summary>
    public static SpecInput Busybox(
        Func<HostConfigInput, HostConfigInput>? host = null,
        Func<ContainerConfigInput, ContainerConfigInput>? config = null,
        Func<DaemonSpecDefaults, DaemonSpecDefaults>? daemon = null) => new()
        {
            ContainerId = Id,
            Image = new ImageConfigInput { Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd = ["sh"] },
            Config = (config ?? (c => c))(new ContainerConfigInput { Hostname = "0123456789ab", Cmd = ["sh"] }),
            HostConfig = (host ?? (h => h))(new HostConfigInput { NetworkMode = "bridge" }),
            Daemon = (daemon ?? (d => d))(new DaemonSpecDefaults
            {
                CapabilityBoundingSet = HostCaps,
                KernelVersion = "6.1.0",
                Architecture = "amd64",
            }),
            Paths = new SpecPaths
            {
                Rootfs = "/var/lib/berth/rootfs/" + Id,
                HostnamePath = "/var/lib/berth/containers/" + Id + "/hostname",
                HostsPath = "/var/lib/berth/containers/" + Id + "/hosts",
                ResolvConfPath = "/var/lib/berth/containers/" + Id + "/resolv.conf",
                NetworkNamespacePath = "/run/berth/netns/" + Id[..12],
            },
            PasswdText = Passwd,
            GroupText = Group,
            Devices = new FakeDevices(),
            Namespaces = new FakeNamespaces(),
        };

    public static JsonNode Json(OciSpec spec) => JsonNode.Parse(OciSpecJson.Serialize(spec))!;

    /// <summary>The compact JSON of one member path ("linux.resources.memory"), or "null" if absent.</summary>
    public static string Fragment(OciSpec spec, string path)
    {
        JsonNode? node = Json(spec);
        foreach (string part in path.Split('.'))
        {
            node = node?[part];
        }
        return node?.ToJsonString() ?? "null";
    }

    public static OciSpec Apply(SpecInput input, params SpecMutator[] mutators) =>
        SpecBuilder.Apply(DefaultSpec.Create(), input, mutators);
}
