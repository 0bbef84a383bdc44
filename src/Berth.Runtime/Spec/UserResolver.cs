using System.Globalization;
using Berth.Engine.Errors;

namespace Berth.Runtime.Spec;

/// <summary>The process identity a --user string resolves to.</summary>
public sealed record ExecUser(uint Uid, uint Gid, IReadOnlyList<uint> SupplementaryGids, string Home);

/// <summary>
/// moby/sys/user GetExecUser over the text of the image's /etc/passwd and /etc/group:
/// "", "name", "uid", "name:group", "uid:gid". Names must exist; numbers need not (they are
/// taken as they are). Supplementary groups come from group membership only when no group
/// was given. Defaults when nothing matches: uid 0, gid 0, home "/".
/// </summary>
public static class UserResolver
{
    private const long MaxId = int.MaxValue;

    private sealed record PasswdEntry(string Name, long Uid, long Gid, string Home);

    private sealed record GroupEntry(string Name, long Gid, string[] Members);

    public static ExecUser Resolve(string? userSpec, string? passwdText, string? groupText)
    {
        string spec = userSpec ?? "";
        string userArg = spec;
        string groupArg = "";
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            userArg = spec[..colon];
            groupArg = spec[(colon + 1)..];
        }

        long uid = 0, gid = 0;
        string home = "/";
        string? matchedName = null;
        bool userIsNumeric = TryId(userArg, out long uidArg);

        if (userArg.Length > 0)
        {
            // First match wins; a number matches the uid column only, a name the name column.
            PasswdEntry? entry = ParsePasswd(passwdText)
                .FirstOrDefault(p => userIsNumeric ? p.Uid == uidArg : p.Name == userArg);
            if (entry is not null)
            {
                uid = entry.Uid;
                gid = entry.Gid;
                home = entry.Home;
                matchedName = entry.Name;
            }
            else if (userIsNumeric)
            {
                uid = uidArg;
            }
            else
            {
                throw DaemonException.InvalidParameter(Messages.UserNotFound(userArg));
            }
        }
        else
        {
            // "" or ":group" keeps root but still takes root's home and groups from passwd.
            PasswdEntry? root = ParsePasswd(passwdText).FirstOrDefault(p => p.Uid == 0);
            if (root is not null)
            {
                gid = root.Gid;
                home = root.Home;
                matchedName = root.Name;
            }
        }

        var sgids = new List<uint>();
        List<GroupEntry> groups = ParseGroup(groupText);
        if (groupArg.Length > 0)
        {
            bool groupIsNumeric = TryId(groupArg, out long gidArg);
            GroupEntry? g = groups.FirstOrDefault(x => groupIsNumeric ? x.Gid == gidArg : x.Name == groupArg);
            if (g is not null)
            {
                gid = g.Gid;
            }
            else if (groupIsNumeric)
            {
                gid = gidArg;
            }
            else
            {
                throw DaemonException.InvalidParameter(Messages.GroupNotFound(groupArg));
            }
        }
        else if (matchedName is not null)
        {
            foreach (GroupEntry g in groups.Where(g => g.Members.Contains(matchedName)))
            {
                sgids.Add((uint)g.Gid);
            }
        }
        return new ExecUser((uint)uid, (uint)gid, sgids, home);
    }

    /// <summary>Decimal id in moby's range; a number out of range is an error, not a name.</summary>
    private static bool TryId(string text, out long id)
    {
        id = 0;
        // Go's Atoi: optional sign, then digits.
        string digits = text.Length > 1 && (text[0] == '-' || text[0] == '+') ? text[1..] : text;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out id) || id < 0 || id > MaxId)
        {
            throw DaemonException.InvalidParameter(Messages.UserIdRange);
        }
        return true;
    }

    private static IEnumerable<string[]> Rows(string? text)
    {
        if (text is null)
        {
            yield break;
        }
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            yield return line.Split(':');
        }
    }

    private static List<PasswdEntry> ParsePasswd(string? text)
    {
        var list = new List<PasswdEntry>();
        foreach (string[] f in Rows(text))
        {
            // name:password:uid:gid:gecos:home:shell — short or malformed lines are skipped.
            if (f.Length < 4 || !long.TryParse(f[2], CultureInfo.InvariantCulture, out long uid))
            {
                continue;
            }
            long.TryParse(f[3], CultureInfo.InvariantCulture, out long gid);
            list.Add(new PasswdEntry(f[0], uid, gid, f.Length > 5 ? f[5] : ""));
        }
        return list;
    }

    private static List<GroupEntry> ParseGroup(string? text)
    {
        var list = new List<GroupEntry>();
        foreach (string[] f in Rows(text))
        {
            // name:password:gid:member,member
            if (f.Length < 3 || !long.TryParse(f[2], CultureInfo.InvariantCulture, out long gid))
            {
                continue;
            }
            string[] members = f.Length > 3
                ? f[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [];
            list.Add(new GroupEntry(f[0], gid, members));
        }
        return list;
    }
}
