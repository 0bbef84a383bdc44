using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>POST /containers/{id}/rename: registry first (it validates and owns uniqueness), then the row, then "rename".</summary>
    public void Rename(string reference, string newName)
    {
        if (string.IsNullOrEmpty(newName) || string.IsNullOrEmpty(reference))
        {
            throw DaemonException.InvalidParameter(Messages.RenameEmptyName);
        }
        Entry entry = Find(reference);
        newName = newName.TrimStart('/');
        entry.Gate.Wait();
        try
        {
            ContainerRecord record = entry.Record;
            if (newName == record.Name)
            {
                throw DaemonException.InvalidParameter(Messages.RenameSameName);
            }
            string oldName = record.Name;
            _names.Rename(record.Id, newName);
            try
            {
                record = Commit(entry, record with { Name = newName });
            }
            catch
            {
                _names.Rename(record.Id, oldName);
                throw;
            }
            Publish(record, "rename", new Dictionary<string, string> { ["oldName"] = "/" + oldName });
        }
        finally
        {
            entry.Gate.Release();
        }
    }
}
