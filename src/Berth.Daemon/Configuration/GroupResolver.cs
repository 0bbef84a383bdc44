using System.Globalization;

namespace Berth.Daemon.Configuration;

/// <summary>
/// Resolves the unix socket's group from /etc/group text (pure, so it is testable), following
/// moby's lookupGID: a group name first, then a plain number even if no such group exists.
/// </summary>
public static class GroupResolver
{
    /// <summary>The group dockerd uses by default; Berth keeps it so existing docker users get access.</summary>
    public const string DefaultGroup = "docker";

    public static int? FindGid(string groupFileText, string nameOrNumber)
    {
        foreach (string line in groupFileText.Split('\n'))
        {
            // name:password:gid:members
            string[] fields = line.TrimEnd('\r').Split(':');
            if (fields.Length >= 3 && fields[0] == nameOrNumber
                && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out int gid))
            {
                return gid;
            }
        }
        return int.TryParse(nameOrNumber, NumberStyles.None, CultureInfo.InvariantCulture, out int number) ? number : null;
    }

    /// <summary>
    /// The gid for the socket. A missing default group falls back to root (0) as dockerd does
    /// with a warning; a missing group the user named is an error ("group X not found").
    /// </summary>
    public static int? ResolveSocketGroup(string groupFileText, string? configured, out string? error)
    {
        error = null;
        string name = configured ?? DefaultGroup;
        if (FindGid(groupFileText, name) is int gid)
        {
            return gid;
        }
        if (name == DefaultGroup)
        {
            return 0;
        }
        error = $"group {name} not found";
        return null;
    }
}
