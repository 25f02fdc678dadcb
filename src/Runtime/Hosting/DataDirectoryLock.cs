namespace Warden.Runtime.Hosting;

/// <summary>
/// One engine per data directory: two would dispatch the same outbox twice. The OS releases the lock
/// when the process dies, even on kill -9, so a crashed server never blocks its restart.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _stream;

    private DataDirectoryLock(FileStream stream) => _stream = stream;

    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, "engine.lock");
        try
        {
            return new DataDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException ex)
        {
            throw new ConfigurationException($"data directory '{Path.GetFullPath(dataDirectory)}' is in use by another Warden engine (set --data-dir or WARDEN_DATA_DIR to another directory)", ex);
        }
    }

    public void Dispose() => _stream.Dispose();
}
