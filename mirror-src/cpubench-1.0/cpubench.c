/* cpubench: time a float dot product and report which SIMD code paths
 * this binary was compiled with (USE=cpu_flags_x86_sse / cpu_flags_x86_3dnow
 * decide -msse / -m3dnow, and USE=threads adds a two-thread run). */
#include <stdio.h>
#include <time.h>
#ifdef CPUBENCH_THREADS
#include <pthread.h>
#endif

#define N 4096
static float a[N], b[N];

static float dot(const float *x, const float *y, int n)
{
    float s = 0.0f;
    for (int i = 0; i < n; i++)
        s += x[i] * y[i];
    return s;
}

static void *run(void *arg)
{
    volatile float s = 0.0f;
    for (int r = 0; r < 2000; r++)
        s += dot(a, b, N);
    *(float *)arg = s;
    return NULL;
}

int main(void)
{
    float s1 = 0.0f;
    clock_t t0;
    for (int i = 0; i < N; i++) {
        a[i] = (float)i / N;
        b[i] = 1.0f - (float)i / N;
    }
    printf("features:");
#ifdef __SSE__
    printf(" sse");
#endif
#ifdef __3dNOW__
    printf(" 3dnow");
#endif
#ifdef CPUBENCH_THREADS
    printf(" threads");
#endif
    printf("\n");
    t0 = clock();
    run(&s1);
    printf("dot x2000: %.3f in %.3fs cpu\n", s1, (double)(clock() - t0) / CLOCKS_PER_SEC);
#ifdef CPUBENCH_THREADS
    {
        pthread_t t;
        float s2 = 0.0f;
        pthread_create(&t, NULL, run, &s2);
        run(&s1);
        pthread_join(t, NULL);
        printf("two threads: %.3f %.3f\n", s1, s2);
    }
#endif
    return 0;
}
