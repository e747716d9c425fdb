/* Prints the sigpad driver's table of known pads, one "VENDOR PRODUCT MODEL" line each (hex ids,
 * '*' for every product of a vendor), for gen-rules.py and the udev test. */
#include <stdio.h>

#include "drivers/sigpad/sigtable.h"

int main(void)
{
    printf("# vendor product model (layout)\n");
    for (size_t i = 0; i < sigtable_count; i++) {
        const sigtable_pad *p = &sigtable_pads[i];
        if (p->product == 0)
            printf("%04x * %s (%s)\n", p->vendor, p->model, sigtable_layout_name(p->layout));
        else
            printf("%04x %04x %s (%s)\n", p->vendor, p->product, p->model,
                   sigtable_layout_name(p->layout));
    }
    return 0;
}
