"""POST /orders {"item": "..."} stores an order and sends orders.tasks.charge
to the workers; GET /orders/<id> shows it (?db=replica: as the streaming
replica has it), with the host that answered; /health reads the orders table."""

import json
import socket

from django.conf import settings
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from orders.models import Order
from orders.tasks import charge


@require_GET
def health(request):
    Order.objects.count()
    return JsonResponse({"status": "ok"})


@csrf_exempt
@require_POST
def create(request):
    try:
        item = json.loads(request.body).get("item")
    except (ValueError, AttributeError):
        item = None
    if not isinstance(item, str) or not 0 < len(item) <= 200:
        return HttpResponseBadRequest("item: a string of 1-200 characters")
    order = Order.objects.create(item=item)
    charge.delay(order.pk)
    return JsonResponse({"id": order.pk}, status=201)


@require_GET
def show(request, order_id):
    database = request.GET.get("db", "default")
    if database not in settings.DATABASES:
        raise Http404("no database %s" % database)
    order = get_object_or_404(Order.objects.using(database), pk=order_id)
    return JsonResponse(
        {
            "id": order.pk,
            "item": order.item,
            "status": order.status,
            "paid_by": order.paid_by,
            "served_by": socket.gethostname(),
        }
    )
