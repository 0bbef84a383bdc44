using System.Text.RegularExpressions;
using Berth.Engine.Filters;

namespace Berth.Engine.Events;

/// <summary>
/// Decides which events a /events client sees, with the rules of moby daemon/events/filter.go.
/// Every key is an AND; values within a key are an OR. Unknown keys are ignored: dockerd's
/// /events does not validate filter keys (it only calls filters.FromJSON), so neither do we.
/// </summary>
public sealed partial class EventFilter
{
    /// <summary>
    /// Keys matched by actor ID or "name" attribute, by prefix. moby applies each of them to
    /// every event regardless of its type (container=web also narrows network events), and so
    /// does this.
    /// </summary>
    private static readonly string[] NameKeys =
        ["daemon", "container", "plugin", "volume", "network", "node", "service", "secret", "config"];

    /// <summary>Actions that carry a suffix ("exec_start: sh -c ...", "health_status: healthy").</summary>
    private static readonly string[] PrefixActions = ["health_status", "exec_create", "exec_start"];

    private readonly FilterArgs _args;
    private readonly bool _fuzzyEvent;

    public EventFilter(FilterArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        _args = args;
        var events = args.Values("event");
        // #25798 in moby: a bare "exec_start" must match "exec_start: sh", so any such value
        // switches the whole event key to prefix matching.
        _fuzzyEvent = PrefixActions.Any(events.Contains);
    }

    /// <summary>No keys at all: every event passes (moby skips its topic function then).</summary>
    public bool IsEmpty => _args.Count == 0;

    public bool Include(EventMessage ev)
    {
        ArgumentNullException.ThrowIfNull(ev);
        if (IsEmpty)
        {
            return true;
        }
        bool actionMatches = _fuzzyEvent ? _args.FuzzyMatch("event", ev.Action) : _args.ExactMatch("event", ev.Action);
        if (!actionMatches || !_args.ExactMatch("type", ev.Type))
        {
            return false;
        }
        if (_args.Contains("scope") && !_args.ExactMatch("scope", ev.Scope))
        {
            return false;
        }
        ev.Attributes.TryGetValue("name", out var name);
        foreach (var key in NameKeys)
        {
            if (!_args.FuzzyMatch(key, ev.ActorId) && !_args.FuzzyMatch(key, name ?? string.Empty))
            {
                return false;
            }
        }
        return MatchImage(ev) && (!_args.Contains("label") || _args.MatchKVList("label", ev.Attributes));
    }

    /// <summary>
    /// Image events are matched by ID or "name" attribute, container events by their "image"
    /// attribute, each also with tag and digest stripped so image=nginx matches nginx:1.27.
    /// </summary>
    private bool MatchImage(EventMessage ev)
    {
        if (!_args.Contains("image"))
        {
            return true;
        }
        string nameAttribute = ev.Type == EventTypes.Image ? "name" : "image";
        string imageName = ev.Attributes.TryGetValue(nameAttribute, out var n) ? n : string.Empty;
        return _args.ExactMatch("image", ev.ActorId)
            || _args.ExactMatch("image", imageName)
            || _args.ExactMatch("image", FamiliarName(ev.ActorId))
            || _args.ExactMatch("image", FamiliarName(imageName));
    }

    /// <summary>
    /// The short repository name of an image reference (reference.FamiliarName after
    /// ParseNormalizedNamed): no tag, no digest, no docker.io/ or docker.io/library/ prefix.
    /// Anything that is not a valid reference comes back unchanged, as in moby's stripTag.
    /// </summary>
    internal static string FamiliarName(string image)
    {
        if (image.Length == 0 || IsFullHexId(image))
        {
            return image;
        }
        // splitDockerDomain: the first component is a registry only if it looks like a host.
        int slash = image.IndexOf('/', StringComparison.Ordinal);
        string domain;
        string remainder;
        if (slash < 0 || !LooksLikeDomain(image[..slash]))
        {
            domain = "docker.io";
            remainder = image;
        }
        else
        {
            domain = image[..slash];
            remainder = image[(slash + 1)..];
        }
        if (domain == "index.docker.io")
        {
            domain = "docker.io";
        }
        if (domain == "docker.io" && !remainder.Contains('/', StringComparison.Ordinal))
        {
            remainder = "library/" + remainder;
        }
        if (remainder.Any(char.IsAsciiLetterUpper))
        {
            return image;
        }
        var match = ReferenceRegex().Match(domain + "/" + remainder);
        if (!match.Success)
        {
            return image;
        }
        string name = match.Groups["name"].Value;
        if (name.Length > 255)
        {
            return image;
        }
        if (domain != "docker.io")
        {
            return name;
        }
        string path = name["docker.io/".Length..];
        const string Library = "library/";
        if (path.StartsWith(Library, StringComparison.Ordinal) && path.IndexOf('/', Library.Length) < 0)
        {
            path = path[Library.Length..];
        }
        return path;
    }

    private static bool LooksLikeDomain(string first) =>
        first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal)
        || first == "localhost" || first.Any(char.IsAsciiLetterUpper);

    private static bool IsFullHexId(string s) => s.Length == 64 && s.All(char.IsAsciiHexDigitLower);

    // distribution/reference's grammar: [domain/]path[:tag][@digest], ASCII only.
    [GeneratedRegex(
        @"^(?<name>(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?/" +
        @"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)" +
        @"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?" +
        @"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex ReferenceRegex();
}
