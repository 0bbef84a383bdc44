using System.Globalization;
using Berth.Engine.Errors;
using Berth.Engine.Filters;

namespace Berth.Engine.Containers;

/// <summary>
/// GET /containers/json filtering and ordering (moby daemon/list.go): newest first; before/since
/// by creation order; status implies all; limit counts every container. Pure: the service
/// hands in snapshots and the resolved references.
/// </summary>
public sealed class ContainerFilter
{
    public static readonly IReadOnlySet<string> AcceptedKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "ancestor", "before", "expose", "exited", "health", "id", "isolation", "is-task", "label", "name",
        "network", "publish", "since", "status", "volume",
    };

    private readonly FilterArgs _filters;
    private readonly HashSet<int> _exitCodes = [];
    private readonly HashSet<ContainerStatus> _statuses = [];

    /// <param name="ancestorImageIds">Image ids the ancestor values resolve to ("sha256:…").</param>
    /// <param name="before">Creation time of the "before" container, if given.</param>
    /// <param name="since">Creation time of the "since" container, if given.</param>
    public ContainerFilter(FilterArgs filters, IReadOnlySet<string> ancestorImageIds, DateTimeOffset? before, DateTimeOffset? since)
    {
        filters.Validate(AcceptedKeys);
        _filters = filters;
        AncestorImageIds = ancestorImageIds;
        Before = before;
        Since = since;
        foreach (string value in filters.Values("exited"))
        {
            _exitCodes.Add(int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int code)
                ? code
                : throw DaemonException.InvalidParameter(Messages.InvalidFilterEntry("exited", value)));
        }
        foreach (string value in filters.Values("health"))
        {
            if (value is not (HealthState.None or HealthState.Starting or HealthState.Healthy or HealthState.Unhealthy))
            {
                throw DaemonException.InvalidParameter(Messages.InvalidHealthFilter(value));
            }
        }
        foreach (string value in filters.Values("status"))
        {
            _statuses.Add(ContainerState.TryParseStatus(value, out var status)
                ? status
                : throw DaemonException.InvalidParameter(Messages.InvalidFilterEntry("status", value)));
        }
    }

    public IReadOnlySet<string> AncestorImageIds { get; }
    public DateTimeOffset? Before { get; }
    public DateTimeOffset? Since { get; }

    public IReadOnlyList<ContainerRecord> Apply(IEnumerable<ContainerRecord> containers, bool all, int limit)
    {
        // A status filter asks about stopped containers too (dockerd sets All for it).
        all = all || _statuses.Count > 0 || limit > 0 || Before is not null || Since is not null;
        var result = new List<ContainerRecord>();
        foreach (var c in containers.OrderByDescending(c => c.Created).ThenBy(c => c.Id, StringComparer.Ordinal))
        {
            if (Since is { } since && c.Created <= since)
            {
                break; // everything after this one is older still
            }
            if (Before is { } before && c.Created >= before)
            {
                continue;
            }
            if (!all && !c.State.Running)
            {
                continue;
            }
            if (!Matches(c))
            {
                continue;
            }
            result.Add(c);
            if (limit > 0 && result.Count == limit)
            {
                break;
            }
        }
        return result;
    }

    public bool Matches(ContainerRecord c)
    {
        if (!_filters.Match("name", "/" + c.Name) || !_filters.Match("id", c.Id))
        {
            return false;
        }
        if (!_filters.MatchKVList("label", c.Config.Labels))
        {
            return false;
        }
        if (_statuses.Count > 0 && !_statuses.Contains(c.State.Status))
        {
            return false;
        }
        if (_exitCodes.Count > 0 && (c.State.Running || c.State.StartedAt is null || !_exitCodes.Contains(c.State.ExitCode)))
        {
            return false;
        }
        if (_filters.Contains("ancestor") && _filters.Values("ancestor").Count > 0
            && !AncestorImageIds.Contains(c.ImageId) && !_filters.Values("ancestor").Contains(c.Config.Image))
        {
            return false;
        }
        if (!_filters.ExactMatch("health", c.State.Health?.Status ?? HealthState.None))
        {
            return false;
        }
        if (_filters.Values("network").Count > 0 && !OnNetwork(c))
        {
            return false;
        }
        if (_filters.Values("is-task").Count > 0 && _filters.GetBoolOrDefault("is-task", false))
        {
            return false; // no swarm: no container is a task
        }
        return true;
    }

    /// <summary>dockerd's network filter: a network the container is connected to, by name or by id prefix.</summary>
    private bool OnNetwork(ContainerRecord c)
    {
        var networks = c.NetworkSettings.Networks;
        if (networks is null)
        {
            return _filters.ExactMatch("network", c.HostConfig.NetworkMode);
        }
        return _filters.Values("network").Any(value => networks.ContainsKey(value)
            || networks.Values.Any(e => e.NetworkID.Length > 0 && e.NetworkID.StartsWith(value, StringComparison.Ordinal)));
    }
}
