using Xunit;

namespace Warden.Runtime.Tests.Storage;

/// <summary>Behaviour tests written once and run per backend: each test gets a fresh database of its backend.</summary>
public abstract class StoreTestBase : IAsyncLifetime
{
    private StoreBackend? _backend;

    protected StoreBackend Backend => _backend ?? throw new InvalidOperationException("the backend is created in InitializeAsync");

    public async Task InitializeAsync() => _backend = await CreateBackendAsync();

    public async Task DisposeAsync()
    {
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }

    protected abstract Task<StoreBackend> CreateBackendAsync();
}
