using Berth.Engine.Errors;
using Berth.Engine.Networks;

namespace Berth.Networking;

/// <summary>dockerd's FindNetwork: exact id, then a unique exact name, then a unique id prefix.</summary>
public static class NetworkLookup
{
    public static NetworkRecord Find(IEnumerable<NetworkRecord> networks, string term)
    {
        var byName = new List<NetworkRecord>();
        var byPrefix = new List<NetworkRecord>();
        foreach (var n in networks)
        {
            if (n.Id == term)
            {
                return n;
            }
            if (n.Name == term)
            {
                byName.Add(n);
            }
            if (term.Length > 0 && n.Id.StartsWith(term, StringComparison.Ordinal))
            {
                byPrefix.Add(n);
            }
        }
        return (byName.Count, byPrefix.Count) switch
        {
            (1, _) => byName[0],
            ( > 1, _) => throw DaemonException.InvalidParameter(Messages.NetworkAmbiguousName(term, byName.Count)),
            (_, 1) => byPrefix[0],
            (_, > 1) => throw DaemonException.InvalidParameter(Messages.NetworkAmbiguousPrefix(term, byPrefix.Count)),
            _ => throw DaemonException.NotFound(Messages.NetworkNotFound(term)),
        };
    }
}
