namespace Berth.Engine.Errors;

public static partial class Messages
{
    public const string NotPartOfSwarm = "This node is not part of a swarm";

    public const string SwarmUnsupported = "Berth does not support swarm mode";

    public const string PluginsUnsupported = "Berth does not support managed plugins";

    public const string SessionUnsupported = "Berth does not support BuildKit sessions; use the classic builder (DOCKER_BUILDKIT=0)";

    public static string PluginNotFound(string name) => $"plugin \"{name}\" not found";
}
