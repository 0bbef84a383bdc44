namespace Berth.Engine.Events;

/// <summary>
/// One engine event as dockerd records it: what kind of object (Type), what happened (Action),
/// who it happened to (Actor), when (nanoseconds since the epoch).
/// </summary>
public sealed record EventMessage(
    string Type,
    string Action,
    string ActorId,
    IReadOnlyDictionary<string, string> Attributes,
    long TimeNano,
    string Scope = "local");

/// <summary>Event types as the Engine API spells them.</summary>
public static class EventTypes
{
    public const string Container = "container";
    public const string Image = "image";
    public const string Network = "network";
    public const string Volume = "volume";
    public const string Daemon = "daemon";
    public const string Plugin = "plugin";
    public const string Builder = "builder";
}
