using Berth.Engine.Errors;
using Berth.Engine.Events;
using Microsoft.Extensions.Logging;

namespace Berth.Engine.Volumes;

/// <summary>Users (Acquire/Release), active mounts (Mount/Unmount) and removal.</summary>
public sealed partial class VolumeService
{
    public async Task<VolumeInfo> AcquireAsync(string name, string reference, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var entry = Find("get", name);
            AddUser(entry, reference);
            return ToInfo(entry.Record);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task ReleaseAsync(string name, string reference, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_volumes.TryGetValue(name, out var entry) && entry.Record.Users.Contains(reference))
            {
                Persist(entry, entry.Record with { Users = entry.Record.Users.Where(u => u != reference).ToList() });
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<string> MountAsync(string name, string reference, IReadOnlyDictionary<string, string>? eventAttributes = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        string path;
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var entry = Find("get", name);
            path = _store.DataPath(name);
            var options = entry.Record.Options;
            if (LocalVolumeRules.NeedsMount(options) && !entry.Mounted)
            {
                var (device, fsType, o) = LocalVolumeRules.MountArguments(options!);
                try
                {
                    _mounter.Mount(device, path, fsType, o);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw DaemonException.System(Messages.VolumeMountFailed(HidePassword(e.Message, o)), e);
                }
                entry.Mounted = true;
            }
            entry.ActiveMounts[reference] = entry.ActiveMounts.GetValueOrDefault(reference) + 1;
            var attributes = DriverAttributes(entry.Record);
            attributes["container"] = reference;
            if (eventAttributes is not null)
            {
                foreach (var (k, v) in eventAttributes)
                {
                    attributes[k] = v;
                }
            }
            _events.Publish(EventTypes.Volume, "mount", name, attributes);
        }
        finally
        {
            _lock.Release();
        }
        return path;
    }

    public async Task UnmountAsync(string name, string reference, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var entry = Find("get", name);
            if (!entry.ActiveMounts.TryGetValue(reference, out int count))
            {
                // moby logs "attempt to decrement a zero mount count" and carries on.
                _log?.LogWarning("Unmount of volume {Name} by {Reference} without a matching mount", name, reference);
                return;
            }
            if (count > 1)
            {
                entry.ActiveMounts[reference] = count - 1;
            }
            else
            {
                entry.ActiveMounts.Remove(reference);
            }
            var attributes = DriverAttributes(entry.Record);
            attributes["container"] = reference;
            _events.Publish(EventTypes.Volume, "unmount", name, attributes);
            // The count dropped either way (as in dockerd): a failed unmount must not pin the
            // volume forever; the error is still reported, and Remove retries the unmount.
            if (entry.ActiveMounts.Count == 0 && entry.Mounted)
            {
                UnmountData(entry);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Caller holds the lock.</summary>
    private void RemoveLocked(Entry entry)
    {
        var record = entry.Record;
        if (record.Users.Count > 0)
        {
            throw DaemonException.Conflict(Messages.VolumeOp("remove", record.Name, Messages.VolumeInUse, record.Users));
        }
        if (entry.ActiveMounts.Count > 0)
        {
            throw DaemonException.System(Messages.VolumeOp("remove", record.Name, Messages.VolumeHasActiveMounts));
        }
        if (entry.Mounted)
        {
            UnmountData(entry);
        }
        try
        {
            _store.Delete(record.Name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DaemonException.System(Messages.VolumeOp("remove", record.Name, e.Message), e);
        }
        _volumes.Remove(record.Name);
        _events.Publish(EventTypes.Volume, "destroy", record.Name, DriverAttributes(record));
    }

    private void UnmountData(Entry entry)
    {
        try
        {
            _mounter.Unmount(_store.DataPath(entry.Record.Name));
            entry.Mounted = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DaemonException.System(Messages.VolumeOp("unmount", entry.Record.Name, e.Message), e);
        }
    }

    private void AddUser(Entry entry, string reference)
    {
        if (!entry.Record.Users.Contains(reference))
        {
            Persist(entry, entry.Record with { Users = [.. entry.Record.Users, reference] });
        }
    }

    /// <summary>Disk first, then memory: a failed write leaves both as they were.</summary>
    private void Persist(Entry entry, VolumeRecord updated)
    {
        try
        {
            _store.Update(updated);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DaemonException.System(Messages.VolumeOp("update", updated.Name, e.Message), e);
        }
        entry.Record = updated;
    }

    /// <summary>moby's getPassword/replace: a cifs password must not end up in an API error.</summary>
    private static string HidePassword(string message, string options)
    {
        foreach (var word in options.Split(','))
        {
            if (word.StartsWith("password=", StringComparison.Ordinal) && word.Length > "password=".Length)
            {
                message = message.Replace(word, "password=********", StringComparison.Ordinal);
            }
        }
        return message;
    }
}
