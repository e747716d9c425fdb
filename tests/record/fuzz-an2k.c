/* libFuzzer target for the ANSI/NIST-ITL reader: any input is either refused with a reason or
 * read; what is read is written again, and the written bytes read back to the same records. */
#include <stdlib.h>
#include <string.h>

#include "record/an2k.h"
#include "core/biomem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    an2k *t = NULL;
    char why[256];
    if (an2k_read(data, size, &t, why, sizeof(why)) != BK_OK) {
        if (why[0] == '\0')
            abort(); /* every refusal says why */
        return 0;
    }
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (an2k_write(t, &bytes, &len) != BK_OK)
        abort();
    an2k *back = NULL;
    if (an2k_read(bytes, len, &back, why, sizeof(why)) != BK_OK)
        abort();
    if (back->n_records != t->n_records)
        abort();
    for (size_t i = 0; i < t->n_records; i++) {
        const an2k_record *a = &t->records[i], *b = &back->records[i];
        if (a->type != b->type || a->n_fields != b->n_fields || a->bin_len != b->bin_len)
            abort();
        for (size_t j = 0; j < a->n_fields; j++)
            if (a->fields[j].tag != b->fields[j].tag ||
                (!(a->type == 1 && a->fields[j].tag == 3) &&
                 (a->fields[j].len != b->fields[j].len ||
                  memcmp(a->fields[j].value, b->fields[j].value, a->fields[j].len) != 0)))
                abort();
    }
    an2k_free(back);
    biomem_free(bytes);
    an2k_free(t);
    return 0;
}
