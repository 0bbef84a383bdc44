using Berth.Linux;
using Berth.Runtime.Cgroups;

namespace Berth.Runtime.Oci;

public sealed partial class RuncRuntime
{
    /// <summary>
    /// `runc delete` of a stopped container without starting runc, where its state file shows
    /// that runc would do nothing else (<see cref="RuncStateFacts"/>): remove the cgroup dirs it
    /// recorded, then its state dir. Runc's own notion of "stopped" is used: the init is gone, or
    /// its pid now belongs to another process, or it is a zombie, and the freezer is not frozen.
    /// False when runc has to do it (another runtime, a launcher, no state file, a running,
    /// created or paused container, or anything in the state that needs runc).
    /// </summary>
    private bool TryDeleteStopped(string id)
    {
        if (Traits.Implementation != "runc" || Path != Binary || id.Contains('/', StringComparison.Ordinal) || id is "." or "..")
        {
            return false;
        }
        string dir = System.IO.Path.Combine(Root, id);
        byte[] json;
        try
        {
            json = File.ReadAllBytes(System.IO.Path.Combine(dir, "state.json"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        if (RuncStateFacts.Parse(json) is not { NeedsRuncBecause: null } facts || !IsStopped(facts))
        {
            return false;
        }
        string? busy = null;
        foreach (string path in facts.CgroupPaths)
        {
            if (!CgroupFs.RemoveDirectory(path))
            {
                busy ??= path;
            }
        }
        // runc removes its state dir even when a cgroup stays (and then fails the delete).
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        if (busy is not null)
        {
            throw RuntimeErrors.ToException(Name, "delete", id, $"Failed to remove paths: {busy}");
        }
        return true;
    }

    private static bool IsStopped(RuncStateFacts facts)
    {
        if (facts.FreezerPath is { } freezer
            && Libc.ReadSmallFileUnlocked(System.IO.Path.Combine(freezer, "freezer.state")) is { } state
            && state.Trim() != "THAWED")
        {
            return false; // paused (or freezing): runc refuses or kills; let it
        }
        return !ProcessStates.IsLive(facts.InitPid, facts.InitStartTime);
    }
}
