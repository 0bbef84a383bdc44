using Berth.Engine.Events;
using Berth.Engine.Filters;

namespace Berth.UnitTests.Engine.Events;

public class EventFilterTests
{
    private const string ContainerId = "4a7e3c9b1f2d";
    private const string ImageId = "sha256:9f0c1e2d3b4a";

    private static readonly Dictionary<string, EventMessage> Events = new()
    {
        ["container-start"] = Ev(EventTypes.Container, "start", ContainerId, ("name", "web"), ("image", "nginx:1.27"), ("app", "shop")),
        ["container-exec"] = Ev(EventTypes.Container, "exec_start: sh -c true", ContainerId, ("name", "web"), ("image", "nginx:1.27"), ("execID", "e1")),
        ["container-health"] = Ev(EventTypes.Container, "health_status: healthy", ContainerId, ("name", "web"), ("image", "nginx:1.27")),
        ["container-registry-image"] = Ev(EventTypes.Container, "create", "b2", ("name", "api"), ("image", "registry.example.com:5000/team/api@sha256:" + new string('a', 64))),
        ["image-pull"] = Ev(EventTypes.Image, "pull", "docker.io/library/alpine:3.20", ("name", "docker.io/library/alpine:3.20")),
        ["image-delete"] = Ev(EventTypes.Image, "delete", ImageId, ("name", ImageId)),
        ["network-connect"] = Ev(EventTypes.Network, "connect", "n1", ("name", "bridge"), ("type", "bridge"), ("container", ContainerId)),
        ["volume-mount"] = Ev(EventTypes.Volume, "mount", "data", ("driver", "local"), ("container", ContainerId)),
        ["daemon-reload"] = Ev(EventTypes.Daemon, "reload", "D4EM:ONID", ("name", "host1")),
        ["plugin-enable"] = Ev(EventTypes.Plugin, "enable", "p1", ("name", "vieux/sshfs:latest")),
        ["builder-prune"] = Ev(EventTypes.Builder, "prune", "", ("reclaimed", "0")),
        ["swarm-scope"] = Ev(EventTypes.Network, "remove", "n2", ("name", "overlay")) with { Scope = "swarm" },
    };

    private static EventMessage Ev(string type, string action, string id, params (string Key, string Value)[] attributes) =>
        new(type, action, id, EventAttributeDictionary.From(attributes.ToDictionary(a => a.Key, a => a.Value)), 1);

    [Theory]
    // type
    [InlineData("""{"type":["container"]}""", "container-start", true)]
    [InlineData("""{"type":["container"]}""", "image-pull", false)]
    [InlineData("""{"type":{"image":true,"network":true}}""", "network-connect", true)]
    [InlineData("""{"type":["builder"]}""", "builder-prune", true)]
    // event: exact, and prefix only for exec_*/health_status
    [InlineData("""{"event":["start"]}""", "container-start", true)]
    [InlineData("""{"event":["start"]}""", "container-exec", false)]
    [InlineData("""{"event":["exec_start"]}""", "container-exec", true)]
    [InlineData("""{"event":["exec_start: sh -c true"]}""", "container-exec", true)]
    [InlineData("""{"event":["health_status"]}""", "container-health", true)]
    [InlineData("""{"event":["health_status: healthy"]}""", "container-health", true)]
    [InlineData("""{"event":["health"]}""", "container-health", false)]
    [InlineData("""{"event":["exec_start","sta"]}""", "container-start", true)] // prefix mode covers every value
    // container: id prefix or name prefix
    [InlineData("""{"container":["4a7e"]}""", "container-start", true)]
    [InlineData("""{"container":["web"]}""", "container-start", true)]
    [InlineData("""{"container":["db"]}""", "container-start", false)]
    [InlineData("""{"container":["web"]}""", "network-connect", false)]
    [InlineData("""{"container":["bri"]}""", "network-connect", true)] // moby matches names regardless of type
    // image: id, name, or stripped name; image events by "name", container events by "image"
    [InlineData("""{"image":["nginx"]}""", "container-start", true)]
    [InlineData("""{"image":["nginx:1.27"]}""", "container-start", true)]
    [InlineData("""{"image":["nginx:1.26"]}""", "container-start", false)]
    [InlineData("""{"image":["alpine"]}""", "image-pull", true)]
    [InlineData("""{"image":["docker.io/library/alpine:3.20"]}""", "image-pull", true)]
    [InlineData("""{"image":["alpine:3.20"]}""", "image-pull", false)]
    [InlineData("""{"image":["registry.example.com:5000/team/api"]}""", "container-registry-image", true)]
    [InlineData("""{"image":["sha256:9f0c1e2d3b4a"]}""", "image-delete", true)]
    [InlineData("""{"image":["nginx"]}""", "network-connect", false)]
    // network, volume, daemon, plugin
    [InlineData("""{"network":["bridge"]}""", "network-connect", true)]
    [InlineData("""{"network":["n1"]}""", "network-connect", true)]
    [InlineData("""{"network":["host"]}""", "network-connect", false)]
    [InlineData("""{"volume":["data"]}""", "volume-mount", true)]
    [InlineData("""{"volume":["logs"]}""", "volume-mount", false)]
    [InlineData("""{"daemon":["host1"]}""", "daemon-reload", true)]
    [InlineData("""{"daemon":["D4EM"]}""", "daemon-reload", true)]
    [InlineData("""{"daemon":["other"]}""", "daemon-reload", false)]
    [InlineData("""{"plugin":["vieux/sshfs"]}""", "plugin-enable", true)]
    // label on actor attributes
    [InlineData("""{"label":["app"]}""", "container-start", true)]
    [InlineData("""{"label":["app=shop"]}""", "container-start", true)]
    [InlineData("""{"label":["app=blog"]}""", "container-start", false)]
    [InlineData("""{"label":["app"]}""", "network-connect", false)]
    // scope
    [InlineData("""{"scope":["local"]}""", "container-start", true)]
    [InlineData("""{"scope":["local"]}""", "swarm-scope", false)]
    [InlineData("""{"scope":["swarm"]}""", "swarm-scope", true)]
    // keys combine with AND
    [InlineData("""{"type":["container"],"event":["start"],"container":["web"]}""", "container-start", true)]
    [InlineData("""{"type":["container"],"event":["die"],"container":["web"]}""", "container-start", false)]
    // no filters, unknown keys
    [InlineData("", "daemon-reload", true)]
    [InlineData("""{"bogus":["x"]}""", "container-start", true)]
    public void MatchesLikeDockerd(string filters, string eventName, bool expected)
    {
        var filter = new EventFilter(FilterArgs.Parse(filters));
        Assert.Equal(expected, filter.Include(Events[eventName]));
    }

    [Theory]
    [InlineData("nginx", "nginx")]
    [InlineData("nginx:1.27", "nginx")]
    [InlineData("library/nginx:1.27", "nginx")]
    [InlineData("docker.io/library/nginx", "nginx")]
    [InlineData("index.docker.io/library/nginx", "nginx")]
    [InlineData("docker.io/bitnami/redis:7", "bitnami/redis")]
    [InlineData("localhost:5000/app:dev", "localhost:5000/app")]
    [InlineData("ghcr.io/org/tool@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "ghcr.io/org/tool")]
    [InlineData("Upper/Case", "Upper/Case")] // invalid references come back unchanged
    [InlineData("NGINX", "NGINX")]
    [InlineData("", "")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void FamiliarNameStripsTagDigestAndDefaultRegistry(string image, string expected)
    {
        Assert.Equal(expected, EventFilter.FamiliarName(image));
    }
}
